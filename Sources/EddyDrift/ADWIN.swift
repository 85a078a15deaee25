import EddyCodec
import Foundation

/// ADaptive WINdowing (Bifet & Gavaldà, 2007), as River 0.26.1's `drift.ADWIN`: a window of
/// exponential-histogram buckets whose every cut (W0, W1) is tested, every `clock` updates,
/// for a difference in means larger than the Hoeffding-style bound; on drift the oldest
/// buckets are dropped. The arithmetic follows River's order, so drift indices agree exactly.
///
/// ```swift
/// var adwin = try ADWIN(delta: 0.002)
/// for (i, x) in values.enumerated() {
///     adwin.update(x)
///     if adwin.driftDetected { print("drift at \(i), mean now \(adwin.estimation)") }
/// }
/// ```
public struct ADWIN: DriftDetector {
    public static let kind = "adwin"
    /// Significance value.
    public let delta: Double
    /// How often (in updates) the window is checked for a change.
    public let clock: Int
    /// Buckets of each size kept before two are merged.
    public let maxBuckets: Int
    /// Smallest sub-window considered for a cut.
    public let minWindowLength: Int
    /// No check until the window holds more than this many values.
    public let gracePeriod: Int

    public private(set) var driftDetected = false
    public var warningDetected: Bool { false }

    /// Bucket totals and variances, row `level` at `level * (maxBuckets + 1)`.
    private var totals: [Double] = []
    private var variances: [Double] = []
    /// Buckets in use per level (River's `current_idx`).
    private var counts: [Int] = []
    private var levels = 0
    private var total = 0.0
    private var variance = 0.0
    /// Number of values the window summarises.
    public private(set) var width = 0.0
    private var tick = 0

    public init(delta: Double = 0.002, clock: Int = 32, maxBuckets: Int = 5,
                minWindowLength: Int = 5, gracePeriod: Int = 10) throws(DriftConfigurationError) {
        try DriftConfigurationError.check(delta > 0 && delta < 1, Self.kind, "delta", delta, "0 < delta < 1")
        try DriftConfigurationError.check(clock >= 1, Self.kind, "clock", clock, "clock >= 1")
        try DriftConfigurationError.check(maxBuckets >= 1, Self.kind, "max_buckets", maxBuckets, "max_buckets >= 1")
        try DriftConfigurationError.check(minWindowLength >= 1, Self.kind, "min_window_length", minWindowLength, "min_window_length >= 1")
        try DriftConfigurationError.check(gracePeriod >= 0, Self.kind, "grace_period", gracePeriod, "grace_period >= 0")
        self.delta = delta
        self.clock = clock
        self.maxBuckets = maxBuckets
        self.minWindowLength = minWindowLength
        self.gracePeriod = gracePeriod
        clearWindow()
    }

    /// The mean of the values in the window (0 when empty).
    public var estimation: Double { width == 0 ? 0 : total / width }

    public mutating func reset() {
        driftDetected = false
        clearWindow()
    }

    private mutating func clearWindow() {
        let capacity = maxBuckets + 1
        if totals.count < capacity {
            totals = [Double](repeating: 0, count: capacity)
            variances = [Double](repeating: 0, count: capacity)
            counts = [0]
        }
        for i in 0..<counts.count { counts[i] = 0 }
        levels = 1
        total = 0
        variance = 0
        width = 0
        tick = 0
    }

    public mutating func update(_ value: Double) {
        if driftDetected { reset() }
        insert(value)
        driftDetected = detectChange()
    }

    @inline(__always)
    private mutating func insert(_ value: Double) {
        let capacity = maxBuckets + 1
        totals[counts[0]] = value
        variances[counts[0]] = 0
        counts[0] += 1
        width += 1
        var increment = 0.0
        if width > 1 {
            let d = value - total / (width - 1)
            increment = (width - 1) * d * d / width
        }
        variance += increment
        total += value
        if counts[0] == capacity { compress() }
    }

    private mutating func compress() {
        let capacity = maxBuckets + 1
        var level = 0
        while counts[level] == capacity {
            let base = level * capacity
            let size = Double(sign: .plus, exponent: level, significand: 1)
            let t0 = totals[base], t1 = totals[base + 1]
            let v0 = variances[base], v1 = variances[base + 1]
            let mu1 = t0 / size
            let mu2 = t1 / size
            let merged = t0 + t1
            let mergedVariance = v0 + v1 + size * 0.5 * (mu1 - mu2) * (mu1 - mu2)
            if level + 1 >= levels { addLevel() }
            let next = (level + 1) * capacity
            totals[next + counts[level + 1]] = merged
            variances[next + counts[level + 1]] = mergedVariance
            counts[level + 1] += 1
            removeOldest(2, at: level)
            if counts[level + 1] <= maxBuckets { break }
            level += 1
        }
    }

    private mutating func addLevel() {
        let capacity = maxBuckets + 1
        levels += 1
        if counts.count < levels {
            counts.append(0)
            totals.append(contentsOf: repeatElement(0, count: capacity))
            variances.append(contentsOf: repeatElement(0, count: capacity))
        }
        counts[levels - 1] = 0
    }

    @inline(__always)
    private mutating func removeOldest(_ n: Int, at level: Int) {
        let base = level * (maxBuckets + 1)
        let remaining = counts[level] - n
        for i in 0..<remaining {
            totals[base + i] = totals[base + i + n]
            variances[base + i] = variances[base + i + n]
        }
        counts[level] = remaining
    }

    private mutating func deleteOldestBucket() {
        let last = levels - 1
        let base = last * (maxBuckets + 1)
        let n = Double(sign: .plus, exponent: last, significand: 1)
        let u = totals[base], v = variances[base]
        let mu = u / n
        width -= n
        total -= u
        let muWindow = total / width
        variance -= v + n * width * (mu - muWindow) * (mu - muWindow) / (n + width)
        removeOldest(1, at: last)
        if counts[last] == 0 { levels -= 1 }
    }

    private mutating func detectChange() -> Bool {
        tick += 1
        guard tick % clock == 0 && width > Double(gracePeriod) else { return false }
        let capacity = maxBuckets + 1
        let minLength = Double(minWindowLength)
        var changed = false
        var reduce = true
        while reduce {
            reduce = false
            var n0 = 0.0, n1 = width, u0 = 0.0, u1 = total
            let deltaPrime = log(2 * log(width) / delta)
            let varianceInWindow = variance / width
            scan: for level in stride(from: levels - 1, through: 0, by: -1) {
                let size = Double(sign: .plus, exponent: level, significand: 1)
                let count = counts[level]
                let base = level * capacity
                for k in 0..<count {
                    n0 += size
                    n1 -= size
                    let t = totals[base + k]
                    u0 += t
                    u1 -= t
                    if level == 0 && k == count - 1 { break scan }
                    if n1 >= minLength && n0 >= minLength {
                        let deltaMean = u0 / n0 - u1 / n1
                        let mRecip = 1 / (n0 - minLength + 1) + 1 / (n1 - minLength + 1)
                        let epsilon = (2 * mRecip * varianceInWindow * deltaPrime).squareRoot()
                            + 2.0 / 3.0 * deltaPrime * mRecip
                        if abs(deltaMean) > epsilon {
                            reduce = true
                            changed = true
                            if width > 0 {
                                deleteOldestBucket()
                                break scan
                            }
                        }
                    }
                }
            }
        }
        return changed
    }

    public func serialized() -> [UInt8] {
        var writer = StateWriter(kind: Self.kind, version: 1)
        writer.write(delta)
        writer.write(clock)
        writer.write(maxBuckets)
        writer.write(minWindowLength)
        writer.write(gracePeriod)
        writer.write(driftDetected)
        writer.write(total)
        writer.write(variance)
        writer.write(width)
        writer.write(tick)
        writer.write(Array(counts[0..<levels]))
        var liveTotals: [Double] = [], liveVariances: [Double] = []
        for level in 0..<levels {
            let base = level * (maxBuckets + 1)
            liveTotals.append(contentsOf: totals[base..<(base + counts[level])])
            liveVariances.append(contentsOf: variances[base..<(base + counts[level])])
        }
        writer.write(liveTotals)
        writer.write(liveVariances)
        return writer.finish()
    }

    public init(state: [UInt8]) throws(StateError) {
        var reader = try StateReader(state, kind: Self.kind, supported: 1...1)
        let delta = try reader.readDouble(), clock = try reader.readInt(), maxBuckets = try reader.readInt()
        let minWindowLength = try reader.readInt(), gracePeriod = try reader.readInt()
        self = try restoring { () throws(DriftConfigurationError) in
            try ADWIN(delta: delta, clock: clock, maxBuckets: maxBuckets,
                      minWindowLength: minWindowLength, gracePeriod: gracePeriod)
        }
        driftDetected = try reader.readBool()
        total = try reader.readDouble()
        variance = try reader.readDouble()
        width = try reader.readDouble()
        tick = try reader.readInt()
        let liveCounts = try reader.readInts()
        let liveTotals = try reader.readDoubles()
        let liveVariances = try reader.readDoubles()
        try reader.finish()
        guard !liveCounts.isEmpty, liveCounts.allSatisfy({ (0...maxBuckets).contains($0) }),
              liveCounts.reduce(0, +) == liveTotals.count, liveTotals.count == liveVariances.count else {
            throw .invalid("ADWIN bucket counts do not match the stored buckets")
        }
        for _ in 1..<liveCounts.count { addLevel() }
        var next = 0
        for (level, count) in liveCounts.enumerated() {
            let base = level * (maxBuckets + 1)
            for i in 0..<count {
                totals[base + i] = liveTotals[next]
                variances[base + i] = liveVariances[next]
                next += 1
            }
            counts[level] = count
        }
    }
}
