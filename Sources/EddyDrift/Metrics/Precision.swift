/// Binary precision of class 1, tp / (tp + fp), as River's `metrics.Precision`.
///
/// ```swift
/// var precision = Precision()
/// precision.update(truth: 0, prediction: 1)
/// precision.value // 0
/// ```
public struct Precision: ConfusionMetric {
    public static let kind = "precision"
    public internal(set) var matrix = ConfusionMatrix()
    public init() {}
    public var value: Double { ratio(matrix.truePositives(1), matrix.truePositives(1) + matrix.falsePositives(1)) }
}
