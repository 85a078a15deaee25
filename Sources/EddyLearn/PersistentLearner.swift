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
