import Foundation
import EddyFeatures
import EddyLearn

/// Mixes two streams into one with a concept drift, as River's
/// `datasets.synth.ConceptDriftStream`: event t comes from `driftStream` with probability
/// 1 / (1 + exp(−4 (t − position) / width)), a sigmoid centred on `position`; `width` 1 makes
/// the drift abrupt. One difference: far from `position` with a small `width`, River's
/// `math.exp` overflows and raises `OverflowError`; here the probability is then simply 0.
///
/// ```swift
/// var stream = try ConceptDriftStream(stream: Agrawal(seed: 1), driftStream: Agrawal(classificationFunction: 2, seed: 1),
///                                     position: 5000, width: 1000, seed: 1)
/// let (x, y) = stream.next()
/// ```
public struct ConceptDriftStream<Before: SyntheticStream, After: SyntheticStream>: SyntheticStream {
    public private(set) var stream: Before
    public private(set) var driftStream: After
    public let position: Int
    public let width: Int
    private var rng: PythonRandom
    private var index = 0

    public init(stream: Before, driftStream: After, position: Int = 5000, width: Int = 1000, seed: Int? = nil) throws(StreamConfigurationError) {
        try StreamConfigurationError.check(stream.featureCount == driftStream.featureCount,
                                           "the two streams have \(stream.featureCount) and \(driftStream.featureCount) features")
        try StreamConfigurationError.check(width >= 1, "ConceptDriftStream width \(width) must be at least 1")
        self.stream = stream
        self.driftStream = driftStream
        self.position = position
        self.width = width
        self.rng = seed.map { PythonRandom(seed: $0) } ?? PythonRandom()
    }

    /// Width from the angle of the drift (River's `alpha`, degrees in (0, 90]): int(1 / tan(alpha)), at least 1.
    public init(stream: Before, driftStream: After, position: Int = 5000, alpha: Double, seed: Int? = nil) throws(StreamConfigurationError) {
        try StreamConfigurationError.check(alpha > 0 && alpha <= 90, "ConceptDriftStream alpha \(alpha) must lie in (0, 90]")
        let w = Int(1 / tan(alpha * Double.pi / 180))
        try self.init(stream: stream, driftStream: driftStream, position: position, width: max(w, 1), seed: seed)
    }

    public var featureCount: Int { stream.featureCount }
    public var task: LearningTask { stream.task }

    public mutating func next() -> (x: FeatureVector, y: Double) {
        index += 1
        let v = -4.0 * Double(index - position) / Double(width)
        let probabilityDrift = 1.0 / (1.0 + exp(v))
        return rng.random() > probabilityDrift ? stream.next() : driftStream.next()
    }
}
