import EddyCodec
import Foundation

/// Drift detection from Hoeffding's bounds with a moving-average test (Frías-Blanco et al.,
/// 2014), as River 0.26.1's `drift.binary.HDDM_A`: compares the global mean of the error
/// stream with the mean at the best cut point; optionally also watches decreases.
///
/// ```swift
/// var hddm = try HDDMA(driftConfidence: 0.001, warningConfidence: 0.005)
/// for (i, wrong) in errors.enumerated() {
///     hddm.update(wrong ? 1 : 0)
///     if hddm.driftDetected { print("drift \(i)") }
/// }
/// ```
public struct HDDMA: DriftDetector {
    public static let kind = "hddm_a"
    public let driftConfidence: Double
    public let warningConfidence: Double
    /// Also signal decreases of the mean.
    public let twoSidedTest: Bool

    public private(set) var driftDetected = false
    public private(set) var warningDetected = false

    /// A running mean as River's `stats.Mean`: count and value.
    private struct Mean: Equatable {
        var n = 0.0
        var mean = 0.0
    }

    private var global = Mean()
    private var cutMin = Mean()
    private var cutMax = Mean()

    public init(driftConfidence: Double = 0.001, warningConfidence: Double = 0.005, twoSidedTest: Bool = false) throws(DriftConfigurationError) {
        try DriftConfigurationError.check(driftConfidence > 0 && driftConfidence < 1, Self.kind, "drift_confidence", driftConfidence, "0 < drift_confidence < 1")
        try DriftConfigurationError.check(warningConfidence > 0 && warningConfidence < 1, Self.kind, "warning_confidence", warningConfidence, "0 < warning_confidence < 1")
        self.driftConfidence = driftConfidence
        self.warningConfidence = warningConfidence
        self.twoSidedTest = twoSidedTest
    }

    public mutating func reset() {
        driftDetected = false
        warningDetected = false
        global = Mean()
        cutMin = Mean()
        cutMax = Mean()
    }

    private func hoeffdingBound(_ n: Double) -> Double {
        (1.0 / (2 * n) * log(1.0 / driftConfidence)).squareRoot()
    }

    private func meanIncreased(_ confidence: Double) -> Bool {
        if cutMin.n == global.n { return false }
        let m = (global.n - cutMin.n) / cutMin.n * (1.0 / global.n)
        let eps = (m / 2 * log(2.0 / confidence)).squareRoot()
        return global.mean - cutMin.mean >= eps
    }

    private func meanDecreased(_ confidence: Double) -> Bool {
        if cutMax.n == global.n { return false }
        let m = (global.n - cutMax.n) / cutMax.n * (1.0 / global.n)
        let eps = (m / 2 * log(2.0 / confidence)).squareRoot()
        return cutMax.mean - global.mean >= eps
    }

    public mutating func update(_ value: Double) {
        if driftDetected { reset() }
        global.n += 1
        global.mean += (1 / global.n) * (value - global.mean)
        if cutMin.n == 0 { cutMin = global }
        if cutMax.n == 0 { cutMax = global }
        let epsGlobal = hoeffdingBound(global.n)
        if cutMin.mean + hoeffdingBound(cutMin.n) >= global.mean + epsGlobal { cutMin = global }
        if cutMax.mean - hoeffdingBound(cutMax.n) <= global.mean - epsGlobal { cutMax = global }
        if meanIncreased(driftConfidence) {
            warningDetected = false
            driftDetected = true
        } else if meanIncreased(warningConfidence) {
            warningDetected = true
            driftDetected = false
        } else {
            warningDetected = false
            driftDetected = false
        }
        if twoSidedTest {
            if meanDecreased(driftConfidence) {
                driftDetected = true
            } else if meanDecreased(warningConfidence) {
                warningDetected = true
            }
        }
    }

    public func serialized() -> [UInt8] {
        var writer = StateWriter(kind: Self.kind, version: 1)
        writer.write(driftConfidence)
        writer.write(warningConfidence)
        writer.write(twoSidedTest)
        writer.write(driftDetected)
        writer.write(warningDetected)
        writer.write([global.n, global.mean, cutMin.n, cutMin.mean, cutMax.n, cutMax.mean])
        return writer.finish()
    }

    public init(state: [UInt8]) throws(StateError) {
        var reader = try StateReader(state, kind: Self.kind, supported: 1...1)
        let drift = try reader.readDouble(), warning = try reader.readDouble(), twoSided = try reader.readBool()
        self = try restoring { () throws(DriftConfigurationError) in
            try HDDMA(driftConfidence: drift, warningConfidence: warning, twoSidedTest: twoSided)
        }
        driftDetected = try reader.readBool()
        warningDetected = try reader.readBool()
        let s = try reader.readDoubles()
        try reader.finish()
        guard s.count == 6 else { throw .invalid("HDDM_A state needs 6 statistics, found \(s.count)") }
        global = Mean(n: s[0], mean: s[1])
        cutMin = Mean(n: s[2], mean: s[3])
        cutMax = Mean(n: s[4], mean: s[5])
    }
}
