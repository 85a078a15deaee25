import Foundation

/// Root mean squared error, as River's `metrics.RMSE`.
///
/// ```swift
/// var rmse = RMSE()
/// rmse.update(truth: 3, prediction: 1)
/// rmse.value // 2
/// ```
public struct RMSE: MeanLossMetric {
    public static let kind = "rmse"
    var mean = RunningMean()
    public init() {}
    public var value: Double { pow(mean.mean, 0.5) }
    static func loss(truth: Double, prediction: Double) -> Double { pow(truth - prediction, 2) }
}
