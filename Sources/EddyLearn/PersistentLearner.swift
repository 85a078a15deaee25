import EddyCodec

/// A learner whose whole state (parameters, optimizer, counters) round-trips through one
/// versioned, checksummed blob, so a checkpoint can hold any learner the same way.
///
/// ```swift
/// let model: any PersistentLearner = LogisticRegression(features: 4, optimizer: SGD())
/// let blob = model.stateBlob()
/// let again = try LogisticRegression<SGD>(stateBlob: blob)
/// ```
public protocol PersistentLearner: Learner {
    /// The learner's full state.
    func stateBlob() -> [UInt8]
    /// Restores a learner from `stateBlob()`; corrupted, truncated or foreign blobs are refused.
    init(stateBlob: [UInt8]) throws(StateError)
    /// Multiplies the learning rate of a gradient learner (drift adaptation raises it for a
    /// while); learners without one ignore it and read 1. Not part of the state blob.
    var learningRateScale: Double { get set }
    /// Events this learner refused to learn from so far (a gradient learner refuses an event
    /// whose loss or gradient is NaN or infinite, leaving its weights as they were).
    var refusedEvents: Int { get }
    /// Whether every parameter is a finite number.
    var hasFiniteParameters: Bool { get }
}

extension PersistentLearner {
    public var learningRateScale: Double {
        get { 1 }
        set {}
    }

    public var refusedEvents: Int { 0 }

    public var hasFiniteParameters: Bool { true }
}

extension PersistentLearner where Self: GradientLearner {
    public var learningRateScale: Double {
        get { parameters.optimizer.learningRateScale }
        set { parameters.optimizer.learningRateScale = newValue }
    }

    public var refusedEvents: Int { parameters.refused }

    public var hasFiniteParameters: Bool {
        parameters.tensors.allSatisfy { tensor in tensor.scalars.allSatisfy(\.isFinite) }
    }
}

extension LogisticRegression: PersistentLearner {}
extension LinearRegression: PersistentLearner {}
extension SoftmaxRegression: PersistentLearner {}
extension MLP: PersistentLearner {}
extension FactorizationMachine: PersistentLearner {}

extension GaussianNaiveBayes: PersistentLearner {
    public func stateBlob() -> [UInt8] { serialized() }
    public init(stateBlob blob: [UInt8]) throws(StateError) { try self.init(restoring: blob) }
}

extension HoeffdingTreeClassifier: PersistentLearner {
    public func stateBlob() -> [UInt8] { serialized() }
    public init(stateBlob blob: [UInt8]) throws(StateError) { try self.init(restoring: blob) }
}
