import EddyCodec

/// The Page-Hinkley test (a CUSUM on the deviation from a fading mean), as River 0.26.1's
/// `drift.PageHinkley`: signals a drift when the cumulative deviation upwards, downwards or
/// either way (`mode`) exceeds `threshold`, after `minInstances` values. No warning zone.
///
/// ```swift
/// var ph = try PageHinkley(threshold: 20, mode: .up)
/// for (i, x) in values.enumerated() {
///     ph.update(x)
///     if ph.driftDetected { print("drift \(i)") }
/// }
/// ```
public struct PageHinkley: DriftDetector {
    /// Which direction of change the test watches.
    public enum Mode: String, Sendable, CaseIterable {
        case up, down, both
    }

    public static let kind = "page_hinkley"
    /// Values seen before a drift can be signalled.
    public let minInstances: Int
    /// Magnitude of change tolerated per value.
    public let delta: Double
    /// Detection threshold (lambda).
    public let threshold: Double
    /// Forgetting factor applied to the cumulative sums.
    public let alpha: Double
    public let mode: Mode

    public private(set) var driftDetected = false
    public var warningDetected: Bool { false }

    private var count = 0.0
    private var mean = 0.0
    private var sumIncrease = 0.0
    private var sumDecrease = 0.0
    private var minIncrease = Double.infinity
    private var maxDecrease = -1.0

    public init(minInstances: Int = 30, delta: Double = 0.005, threshold: Double = 50,
                alpha: Double = 1 - 0.0001, mode: Mode = .both) throws(DriftConfigurationError) {
        try DriftConfigurationError.check(minInstances >= 0, Self.kind, "min_instances", minInstances, "min_instances >= 0")
        try DriftConfigurationError.check(delta >= 0, Self.kind, "delta", delta, "delta >= 0")
        try DriftConfigurationError.check(threshold > 0, Self.kind, "threshold", threshold, "threshold > 0")
        try DriftConfigurationError.check(alpha > 0 && alpha <= 1, Self.kind, "alpha", alpha, "0 < alpha <= 1")
        self.minInstances = minInstances
        self.delta = delta
        self.threshold = threshold
        self.alpha = alpha
        self.mode = mode
    }

    public mutating func reset() {
        driftDetected = false
        count = 0
        mean = 0
        sumIncrease = 0
        sumDecrease = 0
        minIncrease = .infinity
        maxDecrease = -1
    }

    public mutating func update(_ value: Double) {
        if driftDetected { reset() }
        count += 1
        mean += (1 / count) * (value - mean)
        let deviation = value - mean
        sumIncrease = alpha * sumIncrease + deviation - delta
        sumDecrease = alpha * sumDecrease + deviation + delta
        if sumIncrease < minIncrease { minIncrease = sumIncrease }
        if sumDecrease > maxDecrease { maxDecrease = sumDecrease }
        if count >= Double(minInstances) {
            let increase = sumIncrease - minIncrease
            let decrease = maxDecrease - sumDecrease
            switch mode {
            case .up: driftDetected = increase > threshold
            case .down: driftDetected = decrease > threshold
            case .both: driftDetected = increase > threshold || decrease > threshold
            }
        }
    }

    public func serialized() -> [UInt8] {
        var writer = StateWriter(kind: Self.kind, version: 1)
        writer.write(minInstances)
        writer.write(delta)
        writer.write(threshold)
        writer.write(alpha)
        writer.write(mode.rawValue)
        writer.write(driftDetected)
        for v in [count, mean, sumIncrease, sumDecrease, minIncrease, maxDecrease] { writer.write(v) }
        return writer.finish()
    }

    public init(state: [UInt8]) throws(StateError) {
        var reader = try StateReader(state, kind: Self.kind, supported: 1...1)
        let minInstances = try reader.readInt(), delta = try reader.readDouble()
        let threshold = try reader.readDouble(), alpha = try reader.readDouble()
        let modeName = try reader.readString()
        guard let mode = Mode(rawValue: modeName) else { throw .invalid("unknown Page-Hinkley mode '\(modeName)'") }
        self = try restoring { () throws(DriftConfigurationError) in
            try PageHinkley(minInstances: minInstances, delta: delta, threshold: threshold, alpha: alpha, mode: mode)
        }
        driftDetected = try reader.readBool()
        count = try reader.readDouble()
        mean = try reader.readDouble()
        sumIncrease = try reader.readDouble()
        sumDecrease = try reader.readDouble()
        minIncrease = try reader.readDouble()
        maxDecrease = try reader.readDouble()
        try reader.finish()
    }
}
