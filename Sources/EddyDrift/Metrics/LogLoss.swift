import Foundation

/// Binary logarithmic loss, as River's `metrics.LogLoss`; `prediction` is P(class 1),
/// clamped to [1e-15, 1 - 1e-15].
///
/// ```swift
/// var loss = LogLoss()
/// loss.update(truth: 1, prediction: 0.8)
/// loss.value // -log(0.8)
/// ```
public struct LogLoss: MeanLossMetric {
    public static let kind = "log_loss"
    var mean = RunningMean()
    public init() {}
    public var value: Double { mean.mean }
    public var needsProbability: Bool { true }
    static func loss(truth: Double, prediction: Double) -> Double {
        let p = min(max(prediction, 1e-15), 1 - 1e-15)
        return truth != 0 ? -log(p) : -log(1 - p)
    }
}
