import Foundation

/// A manual rollback asked for with `eddy rollback --to V`: pending until the pipeline's
/// consumer applies it at its next batch (or at its next start) and saves the restored model
/// as `appliedVersion`.
///
/// ```swift
/// let id = try store.requestRollback(pipeline: "fraud", to: 12, reason: "manual: bad deploy")
/// let pending = try store.pendingRollbackRequests(pipeline: "fraud")   // [request 12 ...]
/// ```
public struct RollbackRequest: Sendable, Equatable {
    public var id: Int64
    public var pipeline: String
    public var toVersion: Int64
    public var requestedAt: Date
    public var reason: String
    /// The version that applied it, nil while pending or when refused.
    public var appliedVersion: Int64?
    /// Why it could not be applied, nil unless refused.
    public var refusal: String?

    /// Neither applied nor refused yet.
    public var isPending: Bool { appliedVersion == nil && refusal == nil }
}
