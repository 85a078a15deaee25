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
        matrix.macroAverage { c in
            let denominator = matrix.truePositives(c) + matrix.falseNegatives(c)
            return denominator != 0 ? matrix.truePositives(c) / denominator : 0
        }
    }
}
