import Foundation

/// A saved model, as ``CheckpointStore/latestVersion(pipeline:)`` and
/// ``CheckpointStore/version(_:)`` return it: restore `state`, then seek each partition to
/// its `nextOffset`.
///
/// ```swift
/// if let version = try store.latestVersion(pipeline: "fraud") {
///     for p in version.partitions { consumer.seek(p.topic, p.partition, to: p.nextOffset) }
/// }
/// ```
public struct ModelVersion: Sendable, Equatable {
    public var id: Int64
    public var pipeline: String
    public var runID: Int64
    public var parentID: Int64?
    /// Stored to the millisecond.
    public var createdAt: Date
    public var reason: String
    public var eventsSeen: Int
    /// Ordered by topic, then partition.
    public var partitions: [PartitionProgress]
    public var state: [UInt8]
    public var metrics: [String: Double]

    public init(
        id: Int64, pipeline: String, runID: Int64, parentID: Int64?, createdAt: Date, reason: String,
        eventsSeen: Int, partitions: [PartitionProgress], state: [UInt8], metrics: [String: Double]
    ) {
        self.id = id
        self.pipeline = pipeline
        self.runID = runID
        self.parentID = parentID
        self.createdAt = createdAt
        self.reason = reason
        self.eventsSeen = eventsSeen
        self.partitions = partitions
        self.state = state
        self.metrics = metrics
    }
}
