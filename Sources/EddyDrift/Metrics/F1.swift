/// Binary F1 of class 1, the harmonic mean of `Precision` and `Recall`, as River's `metrics.F1`.
///
/// ```swift
/// var f1 = F1()
/// f1.update(truth: 1, prediction: 1)
/// f1.value // 1
/// ```
public struct F1: ConfusionMetric {
    public static let kind = "f1"
    public internal(set) var matrix = ConfusionMatrix()
    public init() {}
    public var value: Double {
        let tp = matrix.truePositives(1)
        let p = ratio(tp, tp + matrix.falsePositives(1))
        let r = ratio(tp, tp + matrix.falseNegatives(1))
        return ratio(2 * p * r, p + r)
    }
}
