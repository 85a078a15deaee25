import EddyCodec

/// Coefficient of determination, 1 − SS_res / SS_tot, as River's `metrics.R2`
/// (0 until two values are seen).
///
/// ```swift
/// var r2 = R2()
/// for (y, p) in [(1.0, 1.1), (2.0, 1.9), (3.0, 3.2)] { r2.update(truth: y, prediction: p) }
/// r2.value // 0.97
/// ```
public struct R2: Metric {
    public static let kind = "r2"
    private var truthMean = RunningMean()
    private var truthSquares = 0.0
    private var residualSquares = 0.0

    public init() {}

    public var biggerIsBetter: Bool { true }

    public mutating func update(truth: Double, prediction: Double) {
        addTruth(truth, weight: 1)
        residualSquares += (truth - prediction) * (truth - prediction) * 1
    }

    public mutating func revert(truth: Double, prediction: Double) {
        addTruth(truth, weight: -1)
        residualSquares -= (truth - prediction) * (truth - prediction) * 1
    }

    /// River's `stats.Var.update(x, w)`, reverts being updates of weight −1.
    private mutating func addTruth(_ x: Double, weight: Double) {
        let old = truthMean.mean
        truthMean.update(x, weight: weight)
        truthSquares += weight * (x - old) * (x - truthMean.mean)
    }

    public var value: Double {
        let n = truthMean.n
        guard n > 1 else { return 0 }
        let total = (n - 1) * (truthSquares / (n - 1))
        return total == 0 ? 0 : 1 - residualSquares / total
    }

    public func serialized() -> [UInt8] {
        var writer = StateWriter(kind: Self.kind, version: 1)
        truthMean.write(to: &writer)
        writer.write(truthSquares)
        writer.write(residualSquares)
        return writer.finish()
    }

    public init(state: [UInt8]) throws(StateError) {
        var reader = try StateReader(state, kind: Self.kind, supported: 1...1)
        truthMean = try RunningMean(from: &reader)
        truthSquares = try reader.readDouble()
        residualSquares = try reader.readDouble()
        try reader.finish()
    }
}
