import EddyCodec

/// Drift Detection Method (Gama et al., 2004), as River 0.26.1's `drift.binary.DDM`: watches
/// the error rate p and its deviation s of a stream of 1 (error) and 0 (hit); warning when
/// p + s exceeds p_min + `warningThreshold`·s_min, drift beyond `driftThreshold`·s_min.
///
/// ```swift
/// var ddm = try DDM()
/// for (i, wrong) in errors.enumerated() {
///     ddm.update(wrong ? 1 : 0)
///     if ddm.warningDetected { print("warning \(i)") }
///     if ddm.driftDetected { print("drift \(i)") }
/// }
/// ```
public struct DDM: DriftDetector {
    public static let kind = "ddm"
    /// Values seen before a warning or drift can be signalled.
    public let warmStart: Int
    public let warningThreshold: Double
    public let driftThreshold: Double

    public private(set) var driftDetected = false
    public private(set) var warningDetected = false

    private var count = 0.0
    private var errorRate = 0.0
    private var pMin = 0.0
    private var sMin = 0.0
    private var psMin = Double.infinity

    public init(warmStart: Int = 30, warningThreshold: Double = 2, driftThreshold: Double = 3) throws(DriftConfigurationError) {
        try DriftConfigurationError.check(warmStart >= 0, Self.kind, "warm_start", warmStart, "warm_start >= 0")
        try DriftConfigurationError.check(warningThreshold >= 0, Self.kind, "warning_threshold", warningThreshold, "warning_threshold >= 0")
        try DriftConfigurationError.check(driftThreshold >= 0, Self.kind, "drift_threshold", driftThreshold, "drift_threshold >= 0")
        self.warmStart = warmStart
        self.warningThreshold = warningThreshold
        self.driftThreshold = driftThreshold
    }

    public mutating func reset() {
        driftDetected = false
        warningDetected = false
        count = 0
        errorRate = 0
        pMin = 0
        sMin = 0
        psMin = .infinity
    }

    public mutating func update(_ value: Double) {
        if driftDetected { reset() }
        count += 1
        errorRate += (1 / count) * (value - errorRate)
        let p = errorRate
        let s = (p * (1 - p) / count).squareRoot()
        guard count > Double(warmStart) else { return }
        if p + s <= psMin {
            pMin = p
            sMin = s
            psMin = pMin + sMin
        }
        warningDetected = p + s > pMin + warningThreshold * sMin
        if p + s > pMin + driftThreshold * sMin {
            driftDetected = true
            warningDetected = false
        }
    }

    public func serialized() -> [UInt8] {
        var writer = StateWriter(kind: Self.kind, version: 1)
        writer.write(warmStart)
        writer.write(warningThreshold)
        writer.write(driftThreshold)
        writer.write(driftDetected)
        writer.write(warningDetected)
        for v in [count, errorRate, pMin, sMin, psMin] { writer.write(v) }
        return writer.finish()
    }

    public init(state: [UInt8]) throws(StateError) {
        var reader = try StateReader(state, kind: Self.kind, supported: 1...1)
        let warmStart = try reader.readInt(), warning = try reader.readDouble(), drift = try reader.readDouble()
        self = try restoring { () throws(DriftConfigurationError) in
            try DDM(warmStart: warmStart, warningThreshold: warning, driftThreshold: drift)
        }
        driftDetected = try reader.readBool()
        warningDetected = try reader.readBool()
        count = try reader.readDouble()
        errorRate = try reader.readDouble()
        pMin = try reader.readDouble()
        sMin = try reader.readDouble()
        psMin = try reader.readDouble()
        try reader.finish()
    }
}
