/// F1 averaged over the classes seen, as River's `metrics.MacroF1`.
///
/// ```swift
/// var f1 = MacroF1()
/// f1.update(truth: 1, prediction: 1)
/// f1.value // 1
/// ```
public struct MacroF1: ConfusionMetric {
    public static let kind = "macro_f1"
    public internal(set) var matrix = ConfusionMatrix()
    public init() {}
    public var value: Double {
        matrix.macroAverage { c in
            let p = ratio(matrix[c, c], matrix.columnSum(c))
            let r = ratio(matrix[c, c], matrix.rowSum(c))
            return p + r != 0 ? 2 * p * r / (p + r) : 0
        }
    }
}
