import EddyFeatures
import EddyLearn

/// A rotating hyperplane (Hulten et al., 2001), as River's `datasets.synth.Hyperplane`:
/// features uniform in [0, 1); label 1 when Σ wᵢxᵢ ≥ ½ Σ wᵢ; after every event the first
/// `driftFeatureCount` weights move by `magChange`, reversing direction with probability
/// `sigma` — a gradual drift. Σ wᵢ is summed left to right, as CPython 3.11's `sum` (the
/// Python of the benchmark venv); CPython 3.12 compensates that sum, which can move a label
/// sitting exactly on the plane.
///
/// ```swift
/// var plane = try Hyperplane(seed: 42, featureCount: 10, driftFeatureCount: 2, magChange: 0.001)
/// let (x, y) = plane.next()
/// ```
public struct Hyperplane: SyntheticStream {
    public let featureCount: Int
    public let driftFeatureCount: Int
    public let magChange: Double
    public let noisePercentage: Double
    public let sigma: Double
    private var rng: PythonRandom
    private var weights: [Double]
    private var directions: [Double]

    public init(seed: Int? = nil, featureCount: Int = 10, driftFeatureCount: Int = 2, magChange: Double = 0,
                noisePercentage: Double = 0.05, sigma: Double = 0.1) throws(StreamConfigurationError) {
        try StreamConfigurationError.check(featureCount >= 1, "Hyperplane needs at least one feature")
        try StreamConfigurationError.check((0...featureCount).contains(driftFeatureCount),
                                           "Hyperplane n_drift_features \(driftFeatureCount) must lie in 0...\(featureCount)")
        try StreamConfigurationError.check((0...1).contains(magChange), "Hyperplane mag_change \(magChange) must lie in [0, 1]")
        try StreamConfigurationError.check((0...1).contains(noisePercentage), "Hyperplane noise_percentage \(noisePercentage) must lie in [0, 1]")
        try StreamConfigurationError.check((0...1).contains(sigma), "Hyperplane sigma \(sigma) must lie in [0, 1]")
        self.featureCount = featureCount
        self.driftFeatureCount = driftFeatureCount
        self.magChange = magChange
        self.noisePercentage = noisePercentage
        self.sigma = sigma
        var rng = seed.map { PythonRandom(seed: $0) } ?? PythonRandom()
        weights = (0..<featureCount).map { _ in rng.random() }
        self.rng = rng
        directions = (0..<featureCount).map { $0 < driftFeatureCount ? 1 : 0 }
    }

    public var task: LearningTask { .binary }

    public mutating func next() -> (x: FeatureVector, y: Double) {
        var sumWeights = 0.0
        for w in weights { sumWeights += w }
        var sum = 0.0
        var x = [Double](repeating: 0, count: featureCount)
        for i in 0..<featureCount {
            x[i] = rng.random()
            sum += weights[i] * x[i]
        }
        var y = sum >= sumWeights * 0.5 ? 1.0 : 0.0
        if 0.01 + rng.random() <= noisePercentage { y = 1 - y }
        for i in 0..<driftFeatureCount {
            weights[i] += directions[i] * magChange
            if 0.01 + rng.random() <= sigma { directions[i] *= -1 }
        }
        return (FeatureVector(dense: x), y)
    }
}
