import Foundation

/// One point of a metric's time series, e.g. the rolling accuracy after 50,000 events.
///
/// ```swift
/// let point = MetricPoint(recordedAt: Date(), eventsSeen: 50_000, window: "rolling", name: "accuracy", value: 0.91)
/// ```
public struct MetricPoint: Sendable, Equatable {
    public var recordedAt: Date
    public var eventsSeen: Int
    /// `"cumulative"` or `"rolling"`.
    public var window: String
    public var name: String
    /// NaN is stored as SQL NULL and reads back as NaN.
    public var value: Double

    public init(recordedAt: Date, eventsSeen: Int, window: String, name: String, value: Double) {
        self.recordedAt = recordedAt
        self.eventsSeen = eventsSeen
        self.window = window
        self.name = name
        self.value = value
    }
}
