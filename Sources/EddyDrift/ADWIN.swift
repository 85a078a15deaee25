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
    private var buckets: ADWINBuckets
    private var levels = 0
    private var total = 0.0
    private var variance = 0.0
    /// Number of values the window summarises.
    public private(set) var width = 0.0
    /// Updates since the last check (River's `tick % clock`).
    private var sinceCheck = 0

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
        buckets = ADWINBuckets(rowWidth: maxBuckets + 1)
        clearWindow()
    }

    /// The mean of the values in the window (0 when empty).
    public var estimation: Double { width == 0 ? 0 : total / width }

    public mutating func reset() {
        driftDetected = false
        clearWindow()
    }

    private mutating func clearWindow() {
        if !isKnownUniquelyReferenced(&buckets) { buckets = buckets.copy() }
        for i in 0..<levels { buckets.counts[i] = 0 }
        levels = 1
        total = 0
        variance = 0
        width = 0
        sinceCheck = 0
    }

    public mutating func update(_ value: Double) {
        if driftDetected { reset() }
        if !isKnownUniquelyReferenced(&buckets) { buckets = buckets.copy() }
        insert(value)
        driftDetected = detectChange()
    }

    @inline(__always)
    private mutating func insert(_ value: Double) {
        let capacity = maxBuckets + 1
        let counts = buckets.counts
        buckets.totals[counts[0]] = value
        buckets.variances[counts[0]] = 0
        counts[0] += 1
        width += 1
        // River adds the increment to the variance, then the value to the total; the two sums
        // are independent, and updating the total first keeps the division chain below off
        // the total's path from one value to the next.
        let previousTotal = total
        total += value
        var increment = 0.0
        if width > 1 {
            let d = value - previousTotal / (width - 1)
            increment = (width - 1) * d * d / width
        }
        variance += increment
        if counts[0] == capacity { compress() }
    }

    private mutating func compress() {
        let capacity = maxBuckets + 1
        var level = 0
        var counts = buckets.counts, totals = buckets.totals, variances = buckets.variances
        while counts[level] == capacity {
            let base = level * capacity
            let size = Double(sign: .plus, exponent: level, significand: 1)
            let inverse = Double(sign: .plus, exponent: -level, significand: 1)
            let t0 = totals[base], t1 = totals[base + 1]
            let v0 = variances[base], v1 = variances[base + 1]
            // size is a power of two, so x * (1 / size) rounds exactly as x / size
            let mu1 = t0 * inverse
            let mu2 = t1 * inverse
            let merged = t0 + t1
            let mergedVariance = v0 + v1 + size * 0.5 * (mu1 - mu2) * (mu1 - mu2)
            if level + 1 >= levels {
                addLevel()
                (counts, totals, variances) = (buckets.counts, buckets.totals, buckets.variances)
            }
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
        levels += 1
        buckets.reserve(levels: levels)
        buckets.counts[levels - 1] = 0
    }

    @inline(__always)
    private func removeOldest(_ n: Int, at level: Int) {
        let counts = buckets.counts, totals = buckets.totals, variances = buckets.variances
        let base = level * (maxBuckets + 1)
        let remaining = counts[level] - n
        for i in 0..<remaining {
            totals[base + i] = totals[base + i + n]
            variances[base + i] = variances[base + i + n]
        }
        counts[level] = remaining
    }

    private mutating func deleteOldestBucket() {
        let counts = buckets.counts, totals = buckets.totals, variances = buckets.variances
        let last = levels - 1
        let base = last * (maxBuckets + 1)
        let n = Double(sign: .plus, exponent: last, significand: 1)
        let u = totals[base], v = variances[base]
        let mu = u * Double(sign: .plus, exponent: -last, significand: 1)
        width -= n
        total -= u
        let muWindow = total / width
        variance -= v + n * width * (mu - muWindow) * (mu - muWindow) / (n + width)
        removeOldest(1, at: last)
        if counts[last] == 0 { levels -= 1 }
    }

    private mutating func detectChange() -> Bool {
        sinceCheck += 1
        guard sinceCheck == clock else { return false }
        sinceCheck = 0
        guard width > Double(gracePeriod) else { return false }
        var changed = false
        while hasSignificantCut() {
            changed = true
            deleteOldestBucket()
        }
        return changed
    }

    /// Scans every cut (W0 = oldest buckets, W1 = the rest) in River's order and tells whether
    /// the means of the two sides differ by more than the bound at any of them. The running
    /// sums are gathered first, then the bounds are evaluated two cuts at a time; each lane
    /// performs River's operations in River's order, so the decision is bitwise the same.
    private func hasSignificantCut() -> Bool {
        let capacity = maxBuckets + 1
        let minLength = Double(minWindowLength)
        let counts = buckets.counts, totals = buckets.totals, cuts = buckets.cuts
        var n0 = 0.0, n1 = width, u0 = 0.0, u1 = total
        var found = 0
        gather: for level in stride(from: levels - 1, through: 0, by: -1) {
            let size = Double(sign: .plus, exponent: level, significand: 1)
            let count = counts[level]
            let base = level * capacity
            for k in 0..<count {
                n0 += size
                n1 -= size
                let t = totals[base + k]
                u0 += t
                u1 -= t
                if level == 0 && k == count - 1 { break gather }
                if n1 >= minLength && n0 >= minLength {
                    cuts[4 * found] = n0
                    cuts[4 * found + 1] = n1
                    cuts[4 * found + 2] = u0
                    cuts[4 * found + 3] = u1
                    found += 1
                }
            }
        }
        let deltaPrime = log(2 * log(width) / delta)
        let varianceInWindow = variance / width
        let linear = 2.0 / 3.0 * deltaPrime
        let minimum = SIMD2(repeating: minLength)
        var j = 0
        while j + 1 < found {
            let a = cuts + 4 * j, b = a + 4
            let n0 = SIMD2(a[0], b[0]), n1 = SIMD2(a[1], b[1]), u0 = SIMD2(a[2], b[2]), u1 = SIMD2(a[3], b[3])
            let deltaMean = u0 / n0 - u1 / n1
            let one = SIMD2<Double>(repeating: 1)
            let left: SIMD2<Double> = n0 - minimum + one
            let right: SIMD2<Double> = n1 - minimum + one
            let mRecip: SIMD2<Double> = one / left + one / right
            let spread: SIMD2<Double> = 2 * mRecip * varianceInWindow * deltaPrime
            let root = SIMD2(spread[0].squareRoot(), spread[1].squareRoot())
            let epsilon: SIMD2<Double> = root + linear * mRecip
            let magnitude = deltaMean.replacing(with: -deltaMean, where: deltaMean .< 0)
            let significant = magnitude .> epsilon
            if significant[0] || significant[1] { return true }
            j += 2
        }
        if j < found {
            let c = cuts + 4 * j
            let deltaMean = c[2] / c[0] - c[3] / c[1]
            let mRecip = 1 / (c[0] - minLength + 1) + 1 / (c[1] - minLength + 1)
            let epsilon = (2 * mRecip * varianceInWindow * deltaPrime).squareRoot() + linear * mRecip
            if abs(deltaMean) > epsilon { return true }
        }
        return false
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
        writer.write(sinceCheck)
        writer.write((0..<levels).map { buckets.counts[$0] })
        var liveTotals: [Double] = [], liveVariances: [Double] = []
        for level in 0..<levels {
            let base = level * (maxBuckets + 1)
            for i in base..<(base + buckets.counts[level]) {
                liveTotals.append(buckets.totals[i])
                liveVariances.append(buckets.variances[i])
            }
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
        sinceCheck = try reader.readInt()
        guard (0..<clock).contains(sinceCheck) else { throw .invalid("ADWIN clock position \(sinceCheck) outside 0..<\(clock)") }
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
                buckets.totals[base + i] = liveTotals[next]
                buckets.variances[base + i] = liveVariances[next]
                next += 1
            }
            buckets.counts[level] = count
        }
    }
}
