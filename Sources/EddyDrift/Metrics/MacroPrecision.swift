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
        let classes = matrix.classes
        var total = 0.0
        for c in classes {
            let denominator = matrix.truePositives(c) + matrix.falsePositives(c)
            if denominator != 0 { total += matrix.truePositives(c) / denominator }
        }
        return ratio(total, Double(classes.count))
    }
}
