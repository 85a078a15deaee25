import Foundation

/// A warning or drift signalled by a detector, and what the pipeline decided to do about it.
///
/// ```swift
/// let event = DriftEventRecord(detectedAt: Date(), eventsSeen: 120_345, detector: "adwin",
///                              kind: "drift", decision: "swapped in the background model")
/// ```
public struct DriftEventRecord: Sendable, Equatable {
    public var detectedAt: Date
    public var eventsSeen: Int
    public var detector: String
    /// `"warning"` or `"drift"`.
    public var kind: String
    public var decision: String

    public init(detectedAt: Date, eventsSeen: Int, detector: String, kind: String, decision: String) {
        self.detectedAt = detectedAt
        self.eventsSeen = eventsSeen
        self.detector = detector
        self.kind = kind
        self.decision = decision
    }
}
