/// Binary recall of class 1, tp / (tp + fn), as River's `metrics.Recall`.
///
/// ```swift
/// var recall = Recall()
/// recall.update(truth: 1, prediction: 1)
/// recall.value // 1
/// ```
public struct Recall: ConfusionMetric {
    public static let kind = "recall"
    public internal(set) var matrix = ConfusionMatrix()
    public init() {}
    public var value: Double { ratio(matrix.truePositives(1), matrix.truePositives(1) + matrix.falseNegatives(1)) }
}
