import EddyCodec
import Foundation

/// Early Drift Detection Method (Baena-García et al., 2006), as River 0.26.1's
/// `drift.binary.EDDM`: tracks the mean p' and deviation s' of the distance between errors
/// (1s); warning when (p' + 2s') / max(p' + 2s') falls below `alpha`, drift below `beta`.
///
/// ```swift
/// var eddm = try EDDM(alpha: 0.95, beta: 0.9)
/// for (i, wrong) in errors.enumerated() {
///     eddm.update(wrong ? 1 : 0)
///     if eddm.driftDetected { print("drift \(i)") }
/// }
/// ```
public struct EDDM: DriftDetector {
    public static let kind = "eddm"
    /// Errors (and values) seen before a warning or drift can be signalled.
    public let warmStart: Int
    public let alpha: Double
    public let beta: Double

    public private(set) var driftDetected = false
    public private(set) var warningDetected = false

    private var count = 0
    private var lastError = 0
    private var errors = 0
    private var distanceCount = 0.0
    private var distanceMean = 0.0
    private var distanceSquares = 0.0
    private var p2sMax = -1.0

    public init(warmStart: Int = 30, alpha: Double = 0.95, beta: Double = 0.9) throws(DriftConfigurationError) {
        try DriftConfigurationError.check(warmStart >= 0, Self.kind, "warm_start", warmStart, "warm_start >= 0")
        try DriftConfigurationError.check((0...1).contains(alpha), Self.kind, "alpha", alpha, "0 <= alpha <= 1")
        try DriftConfigurationError.check((0...alpha).contains(beta), Self.kind, "beta", beta, "0 <= beta <= alpha")
        self.warmStart = warmStart
        self.alpha = alpha
        self.beta = beta
    }

    public mutating func reset() {
        driftDetected = false
        warningDetected = false
        count = 0
        lastError = 0
        errors = 0
        distanceCount = 0
        distanceMean = 0
        distanceSquares = 0
        p2sMax = -1
    }

    public mutating func update(_ value: Double) {
        if driftDetected { reset() }
        count += 1
        guard value == 1 else { return }
        errors += 1
        let distance = Double(count - lastError)
        let oldMean = distanceMean
        distanceCount += 1
        distanceMean += (1 / distanceCount) * (distance - distanceMean)
        distanceSquares += (distance - oldMean) * (distance - distanceMean)
        if count > warmStart {
            let variance = distanceCount > 1 ? distanceSquares / (distanceCount - 1) : 0
            let p2s = distanceMean + 2 * pow(variance, 0.5)
            if p2s > p2sMax {
                p2sMax = p2s
            } else if errors > warmStart {
                let level = p2s / p2sMax
                if level < beta {
                    driftDetected = true
                } else if level < alpha {
                    warningDetected = true
                } else {
                    warningDetected = false
                }
            }
        }
        lastError = count
    }

    public func serialized() -> [UInt8] {
        var writer = StateWriter(kind: Self.kind, version: 1)
        writer.write(warmStart)
        writer.write(alpha)
        writer.write(beta)
        writer.write(driftDetected)
        writer.write(warningDetected)
        writer.write([count, lastError, errors])
        writer.write([distanceCount, distanceMean, distanceSquares, p2sMax])
        return writer.finish()
    }

    public init(state: [UInt8]) throws(StateError) {
        var reader = try StateReader(state, kind: Self.kind, supported: 1...1)
        let warmStart = try reader.readInt(), alpha = try reader.readDouble(), beta = try reader.readDouble()
        self = try restoring { () throws(DriftConfigurationError) in try EDDM(warmStart: warmStart, alpha: alpha, beta: beta) }
        driftDetected = try reader.readBool()
        warningDetected = try reader.readBool()
        let counters = try reader.readInts()
        let stats = try reader.readDoubles()
        try reader.finish()
        guard counters.count == 3, stats.count == 4 else { throw .invalid("EDDM state needs 3 counters and 4 statistics") }
        (count, lastError, errors) = (counters[0], counters[1], counters[2])
        (distanceCount, distanceMean, distanceSquares, p2sMax) = (stats[0], stats[1], stats[2], stats[3])
    }
}
