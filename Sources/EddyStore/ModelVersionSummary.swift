import Foundation

/// One line of a version listing (``CheckpointStore/versions(pipeline:limit:)``): no state
/// blob, no offsets.
///
/// ```swift
/// for v in try store.versions(pipeline: "fraud") { print(v.id, v.reason, v.metrics["accuracy"] ?? .nan) }
/// ```
public struct ModelVersionSummary: Sendable, Equatable {
    public var id: Int64
    public var pipeline: String
    public var parentID: Int64?
    public var createdAt: Date
    public var reason: String
    public var eventsSeen: Int
    public var metrics: [String: Double]

    public init(
        id: Int64, pipeline: String, parentID: Int64?, createdAt: Date, reason: String, eventsSeen: Int,
        metrics: [String: Double]
    ) {
        self.id = id
        self.pipeline = pipeline
        self.parentID = parentID
        self.createdAt = createdAt
        self.reason = reason
        self.eventsSeen = eventsSeen
        self.metrics = metrics
    }
}
