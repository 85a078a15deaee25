/// Precision averaged over the classes seen, as River's `metrics.MacroPrecision`.
///
/// ```swift
/// var precision = MacroPrecision()
/// precision.update(truth: 2, prediction: 0)
/// precision.value
/// ```
public struct MacroPrecision: ConfusionMetric {
    public static let kind = "macro_precision"
    public internal(set) var matrix = ConfusionMatrix()
    public init() {}
    public var value: Double {
        matrix.macroAverage { c in
            let denominator = matrix.truePositives(c) + matrix.falsePositives(c)
            return denominator != 0 ? matrix.truePositives(c) / denominator : 0
        }
    }
}
