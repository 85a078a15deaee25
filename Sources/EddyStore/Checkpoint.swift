/// Everything one checkpoint writes, saved in one transaction by ``CheckpointStore/save(_:)``:
/// the model's state and resume offsets, plus the metric points, drift events, rollbacks and
/// dead letters collected since the previous checkpoint.
///
/// ```swift
/// let id = try store.save(Checkpoint(
///     pipeline: "fraud", runID: run, parentID: previous, reason: "periodic", eventsSeen: 100_000,
///     partitions: [PartitionProgress(topic: "payments", partition: 0, nextOffset: 100_012,
///                                    eventsLearned: 100_000, deadLettered: 12)],
///     state: blob, metrics: ["accuracy": 0.93]))
/// ```
public struct Checkpoint: Sendable, Equatable {
    /// Reasons the schema accepts.
    public static let reasons: Set<String> = ["periodic", "shutdown", "revoke", "drift-swap", "rollback", "replay", "manual"]

    public var pipeline: String
    public var runID: Int64
    public var parentID: Int64?
    /// One of ``reasons``.
    public var reason: String
    public var eventsSeen: Int
    /// Cumulative per partition, covering everything learned so far.
    public var partitions: [PartitionProgress]
    /// Learner + optimizer + detector + metrics state (EddyCodec format).
    public var state: [UInt8]
    /// Snapshot of the metrics, stored as JSON.
    public var metrics: [String: Double]
    /// Time series since the last checkpoint.
    public var metricPoints: [MetricPoint]
    public var driftEvents: [DriftEventRecord]
    public var rollbacks: [RollbackRecord]
    public var deadLetters: [DeadLetter]
    /// Rollback requests this checkpoint applies (their `applied_version` becomes its id).
    public var appliedRequests: [Int64]

    public init(
        pipeline: String, runID: Int64, parentID: Int64?, reason: String, eventsSeen: Int,
        partitions: [PartitionProgress], state: [UInt8], metrics: [String: Double],
        metricPoints: [MetricPoint] = [], driftEvents: [DriftEventRecord] = [],
        rollbacks: [RollbackRecord] = [], deadLetters: [DeadLetter] = [], appliedRequests: [Int64] = []
    ) {
        self.pipeline = pipeline
        self.runID = runID
        self.parentID = parentID
        self.reason = reason
        self.eventsSeen = eventsSeen
        self.partitions = partitions
        self.state = state
        self.metrics = metrics
        self.metricPoints = metricPoints
        self.driftEvents = driftEvents
        self.rollbacks = rollbacks
        self.deadLetters = deadLetters
        self.appliedRequests = appliedRequests
    }
}
