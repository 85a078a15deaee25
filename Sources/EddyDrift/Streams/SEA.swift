import EddyFeatures
import EddyLearn

/// SEA concepts (Street & Kim, 2001), as River's `datasets.synth.SEA`: three features uniform
/// in [0, 10); the label is x0 + x1 > threshold (8, 9, 7, 9.5 for variants 0...3), flipped with
/// probability `noise`. Switching variants makes an abrupt drift.
///
/// ```swift
/// var sea = try SEA(variant: 1, noise: 0.1, seed: 7)
/// let (x, y) = sea.next()
/// ```
public struct SEA: SyntheticStream {
    public let variant: Int
    public let noise: Double
    public let threshold: Double
    private var rng: PythonRandom

    public init(variant: Int = 0, noise: Double = 0, seed: Int? = nil) throws(StreamConfigurationError) {
        try StreamConfigurationError.check((0...3).contains(variant), "SEA variant \(variant) is unknown; allowed: 0, 1, 2, 3")
        try StreamConfigurationError.check((0...1).contains(noise), "SEA noise \(noise) must lie in [0, 1]")
        self.variant = variant
        self.noise = noise
        self.threshold = [8, 9, 7, 9.5][variant]
        self.rng = seed.map { PythonRandom(seed: $0) } ?? PythonRandom()
    }

    public var featureCount: Int { 3 }
    public var task: LearningTask { .binary }

    public mutating func next() -> (x: FeatureVector, y: Double) {
        let x = [rng.uniform(0, 10), rng.uniform(0, 10), rng.uniform(0, 10)]
        var y = x[0] + x[1] > threshold
        if noise != 0 && rng.random() < noise { y.toggle() }
        return (FeatureVector(dense: x), y ? 1 : 0)
    }
}
