import EddyCodec
import Foundation

/// Drift detection from McDiarmid's bounds with an exponentially weighted moving-average test
/// (Frías-Blanco et al., 2014), as River 0.26.1's `drift.binary.HDDM_W`.
///
/// ```swift
/// var hddm = try HDDMW(lambda: 0.05)
/// for (i, wrong) in errors.enumerated() {
///     hddm.update(wrong ? 1 : 0)
///     if hddm.warningDetected { print("warning \(i)") }
/// }
/// ```
public struct HDDMW: DriftDetector {
    public static let kind = "hddm_w"
    public let driftConfidence: Double
    public let warningConfidence: Double
    /// Weight of the newest value in the moving averages (River's `lambda_val`).
    public let lambda: Double
    /// Also signal decreases of the mean.
    public let twoSidedTest: Bool

    public private(set) var driftDetected = false
    public private(set) var warningDetected = false

    /// An exponentially weighted mean with its independent bound condition (River's `SampleInfo`).
    private struct Sample: Equatable {
        var ewma = 0.0
        var initialised = false
        var ibc = 1.0
    }

    private var total = Sample()
    private var s1Decrease = Sample()
    private var s1Increase = Sample()
    private var s2Decrease = Sample()
    private var s2Increase = Sample()
    private var increaseCut = Double.infinity
    private var decreaseCut = -Double.infinity
    private let lambdaSquared: Double
    private let complementSquared: Double
    private let complement: Double

    public init(driftConfidence: Double = 0.001, warningConfidence: Double = 0.005, lambda: Double = 0.05,
                twoSidedTest: Bool = false) throws(DriftConfigurationError) {
        try DriftConfigurationError.check(driftConfidence > 0 && driftConfidence < 1, Self.kind, "drift_confidence", driftConfidence, "0 < drift_confidence < 1")
        try DriftConfigurationError.check(warningConfidence > 0 && warningConfidence < 1, Self.kind, "warning_confidence", warningConfidence, "0 < warning_confidence < 1")
        try DriftConfigurationError.check(lambda > 0 && lambda <= 1, Self.kind, "lambda_val", lambda, "0 < lambda_val <= 1")
        self.driftConfidence = driftConfidence
        self.warningConfidence = warningConfidence
        self.lambda = lambda
        self.twoSidedTest = twoSidedTest
        lambdaSquared = lambda * lambda
        complementSquared = pow(1 - lambda, 2)
        complement = 1 - lambda
    }

    public mutating func reset() {
        driftDetected = false
        warningDetected = false
        total = Sample()
        s1Decrease = Sample()
        s1Increase = Sample()
        s2Decrease = Sample()
        s2Increase = Sample()
        increaseCut = .infinity
        decreaseCut = -.infinity
    }

    @inline(__always)
    private func updated(_ sample: Sample, _ x: Double) -> Sample {
        var s = sample
        s.ewma = s.initialised ? lambda * x + complement * s.ewma : x
        s.initialised = true
        s.ibc = lambdaSquared + complementSquared * s.ibc
        return s
    }

    private func bound(_ ibc: Double, _ confidence: Double) -> Double {
        (ibc * log(1 / confidence) / 2).squareRoot()
    }

    private func changed(_ first: Sample, _ second: Sample, _ confidence: Double) -> Bool {
        guard first.initialised && second.initialised else { return false }
        return second.ewma - first.ewma > bound(first.ibc + second.ibc, confidence)
    }

    public mutating func update(_ value: Double) {
        if driftDetected { reset() }
        total = updated(total, value)
        let eps = bound(total.ibc, driftConfidence)
        if total.ewma + eps < increaseCut {
            increaseCut = total.ewma + eps
            s1Increase = total
            s2Increase = Sample()
        } else {
            s2Increase = updated(s2Increase, value)
        }
        if changed(s1Increase, s2Increase, driftConfidence) {
            warningDetected = false
            driftDetected = true
        } else if changed(s1Increase, s2Increase, warningConfidence) {
            warningDetected = true
            driftDetected = false
        } else {
            warningDetected = false
            driftDetected = false
        }
        if total.ewma - eps > decreaseCut {
            decreaseCut = total.ewma - eps
            s1Decrease = total
            s2Decrease = Sample()
        } else {
            s2Decrease = updated(s2Decrease, value)
        }
        if twoSidedTest {
            if changed(s2Decrease, s1Decrease, driftConfidence) {
                driftDetected = true
            } else if changed(s2Decrease, s1Decrease, warningConfidence) {
                warningDetected = true
            }
        }
    }

    public func serialized() -> [UInt8] {
        var writer = StateWriter(kind: Self.kind, version: 1)
        writer.write(driftConfidence)
        writer.write(warningConfidence)
        writer.write(lambda)
        writer.write(twoSidedTest)
        writer.write(driftDetected)
        writer.write(warningDetected)
        for s in [total, s1Decrease, s1Increase, s2Decrease, s2Increase] {
            writer.write(s.ewma)
            writer.write(s.initialised)
            writer.write(s.ibc)
        }
        writer.write(increaseCut)
        writer.write(decreaseCut)
        return writer.finish()
    }

    public init(state: [UInt8]) throws(StateError) {
        var reader = try StateReader(state, kind: Self.kind, supported: 1...1)
        let drift = try reader.readDouble(), warning = try reader.readDouble(), lambda = try reader.readDouble()
        let twoSided = try reader.readBool()
        self = try restoring { () throws(DriftConfigurationError) in
            try HDDMW(driftConfidence: drift, warningConfidence: warning, lambda: lambda, twoSidedTest: twoSided)
        }
        driftDetected = try reader.readBool()
        warningDetected = try reader.readBool()
        var samples: [Sample] = []
        for _ in 0..<5 {
            samples.append(Sample(ewma: try reader.readDouble(), initialised: try reader.readBool(), ibc: try reader.readDouble()))
        }
        (total, s1Decrease, s1Increase, s2Decrease, s2Increase) = (samples[0], samples[1], samples[2], samples[3], samples[4])
        increaseCut = try reader.readDouble()
        decreaseCut = try reader.readDouble()
        try reader.finish()
    }
}
