/// Mean absolute error, as River's `metrics.MAE`.
///
/// ```swift
/// var mae = MAE()
/// mae.update(truth: 3, prediction: 2.5)
/// mae.value // 0.5
/// ```
public struct MAE: MeanLossMetric {
    public static let kind = "mae"
    var mean = RunningMean()
    public init() {}
    public var value: Double { mean.mean }
    static func loss(truth: Double, prediction: Double) -> Double { abs(truth - prediction) }
}
