/// Share of correct predictions, as River's `metrics.Accuracy`.
///
/// ```swift
/// var accuracy = Accuracy()
/// accuracy.update(truth: 2, prediction: 2)
/// accuracy.value // 1
/// ```
public struct Accuracy: ConfusionMetric {
    public static let kind = "accuracy"
    public internal(set) var matrix = ConfusionMatrix()
    public init() {}
    public var value: Double { ratio(matrix.totalTruePositives, matrix.totalWeight) }
}
