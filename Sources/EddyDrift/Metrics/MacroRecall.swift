/// Recall averaged over the classes seen, as River's `metrics.MacroRecall`.
///
/// ```swift
/// var recall = MacroRecall()
/// recall.update(truth: 2, prediction: 2)
/// recall.value // 1
/// ```
public struct MacroRecall: ConfusionMetric {
    public static let kind = "macro_recall"
    public internal(set) var matrix = ConfusionMatrix()
    public init() {}
    public var value: Double {
        let classes = matrix.classes
        var total = 0.0
        for c in classes {
            let denominator = matrix.truePositives(c) + matrix.falseNegatives(c)
            if denominator != 0 { total += matrix.truePositives(c) / denominator }
        }
        return ratio(total, Double(classes.count))
    }
}
