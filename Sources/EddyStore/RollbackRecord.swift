import Foundation

/// The live model was replaced by an earlier version.
///
/// ```swift
/// let rollback = RollbackRecord(fromVersion: 41, toVersion: 37, at: Date(), reason: "rolling log_loss rose 30%")
/// ```
public struct RollbackRecord: Sendable, Equatable {
    /// The version that was live, or nil when it had not been saved yet.
    public var fromVersion: Int64?
    public var toVersion: Int64
    public var at: Date
    public var reason: String

    public init(fromVersion: Int64?, toVersion: Int64, at: Date, reason: String) {
        self.fromVersion = fromVersion
        self.toVersion = toVersion
        self.at = at
        self.reason = reason
    }
}
