import EddyCodec
import Foundation

/// ADaptive WINdowing (Bifet & Gavaldà, 2007), as River 0.26.1's `drift.ADWIN`: a window of
/// exponential-histogram buckets whose every cut (W0, W1) is tested, every `clock` updates,
/// for a difference in means larger than the Hoeffding-style bound; on drift the oldest
/// buckets are dropped. The arithmetic follows River's order, so drift indices agree exactly.
/// Between checks `update` only collects the value; the batch is folded in at the check, and
/// the check clears most cuts with a test free of division (`ADWINCutFilter`) whose margins
/// cover every rounding, leaving only close calls to River's own evaluation.
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

    @inlinable public var driftDetected: Bool { drift }
    public var warningDetected: Bool { false }
    @usableFromInline var drift = false

    /// Values received since the histogram was last brought up to date. Between two checks
    /// nothing River computes can be observed, so `update` only collects values, and they are
    /// folded in together, in River's order, at the next check (or when the batch is full).
    /// Kept inline, apart from the histogram, so that the per-value path touches no shared
    /// storage and its count need not go through memory between updates.
    @usableFromInline var pending = InlineArray<32, Double>(repeating: 0)
    @usableFromInline var pendingCount = 0
    /// `pendingCount` at which the batch is folded in: at the next check, at most 32 values.
    @usableFromInline var pendingLimit = 0

    /// The histogram and River's running window state, copied before mutation when shared.
    @usableFromInline var buckets: ADWINBuckets

    public init(delta: Double = 0.002, clock: Int = 32, maxBuckets: Int = 5,
                minWindowLength: Int = 5, gracePeriod: Int = 10) throws(DriftConfigurationError) {
        try DriftConfigurationError.check(delta > 0 && delta < 1, Self.kind, "delta", delta, "0 < delta < 1")
        try DriftConfigurationError.check(clock >= 1, Self.kind, "clock", clock, "clock >= 1")
        // River 0.26.1 accepts 1 but panics in its merges on a drifting stream, so there is
        // nothing to agree with (and with one bucket a row, the deletions after a drift can
        // reach an empty row).
        try DriftConfigurationError.check(maxBuckets >= 2, Self.kind, "max_buckets", maxBuckets,
                                          "max_buckets >= 2 (River fails with 1)")
        try DriftConfigurationError.check(minWindowLength >= 1, Self.kind, "min_window_length", minWindowLength, "min_window_length >= 1")
        try DriftConfigurationError.check(gracePeriod >= 0, Self.kind, "grace_period", gracePeriod, "grace_period >= 0")
        self.delta = delta
        self.clock = clock
        self.maxBuckets = maxBuckets
        self.minWindowLength = minWindowLength
        self.gracePeriod = gracePeriod
        buckets = ADWINBuckets(delta: delta, clock: clock, maxBuckets: maxBuckets,
                               minWindowLength: minWindowLength, gracePeriod: gracePeriod)
        buckets.clear()
        pendingLimit = min(ADWINBuckets.batchCapacity, clock)
    }

    /// Number of values the window summarises.
    public var width: Double { buckets.windowWidth + Double(pendingCount) }

    /// The mean of the values in the window (0 when empty).
    public var estimation: Double {
        var sum = buckets.total
        for i in 0..<pendingCount { sum += pending[i] }
        let n = width
        return n == 0 ? 0 : sum / n
    }

    public mutating func reset() {
        drift = false
        if !isKnownUniquelyReferenced(&buckets) { buckets = buckets.copy() }
        buckets.clear()
        pendingCount = 0
        pendingLimit = min(ADWINBuckets.batchCapacity, clock)
    }

    @inlinable
    public mutating func update(_ value: Double) {
        // pendingCount < pendingLimit <= 32 between updates
        pending[unchecked: pendingCount] = value
        pendingCount &+= 1
        if pendingCount == pendingLimit {
            foldPending()
        } else {
            drift = false
        }
    }

    /// Folds the collected values in and, when the clock says so, checks for a change (after a
    /// drift the limit is 1, so that the next update comes here and the window restarts first,
    /// as River resets on the update after a drift). Inlined into the caller's loop: the call it
    /// makes receives the histogram and the batch's address, nothing else of this struct, so
    /// the count can stay in a register between updates. (Copying the batch first, to give the
    /// call no address inside the struct, cost 7% of the benchmark's time on 2026-11-30.)
    @inlinable
    mutating func foldPending() {
        if !isKnownUniquelyReferenced(&buckets) { buckets = buckets.copy() }
        let step = withUnsafeBytes(of: &pending) { [buckets, pendingCount, drift] in
            buckets.fold($0.baseAddress!.assumingMemoryBound(to: Double.self), count: pendingCount, restart: drift)
        }
        pendingCount = step.waiting
        pendingLimit = step.limit
        drift = step.drift
    }

    /// The state River would hold after the same updates: pending values are folded into a copy
    /// first, so the blob (format version 1) does not depend on where a batch stands.
    public func serialized() -> [UInt8] {
        let settled = pendingCount == 0 ? buckets : buckets.copy()
        withUnsafeBytes(of: pending) { settled.settle($0.baseAddress!.assumingMemoryBound(to: Double.self), count: pendingCount) }
        var writer = StateWriter(kind: Self.kind, version: 1)
        writer.write(delta)
        writer.write(clock)
        writer.write(maxBuckets)
        writer.write(minWindowLength)
        writer.write(gracePeriod)
        writer.write(driftDetected)
        writer.write(settled.total)
        writer.write(settled.variance)
        writer.write(settled.windowWidth)
        writer.write(settled.sinceCheck)
        writer.write((0..<settled.levels).map { settled.counts[$0] })
        var liveTotals: [Double] = [], liveVariances: [Double] = []
        for level in 0..<settled.levels {
            let base = level * settled.rowWidth
            for i in base..<(base + settled.counts[level]) {
                liveTotals.append(settled.totals[i])
                liveVariances.append(settled.variances[i])
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
        drift = try reader.readBool()
        buckets.total = try reader.readDouble()
        buckets.variance = try reader.readDouble()
        buckets.windowWidth = try reader.readDouble()
        buckets.sinceCheck = try reader.readInt()
        let sinceCheck = buckets.sinceCheck
        guard (0..<clock).contains(sinceCheck) else { throw .invalid("ADWIN clock position \(sinceCheck) outside 0..<\(clock)") }
        pendingLimit = driftDetected ? 1 : min(ADWINBuckets.batchCapacity, clock - sinceCheck)
        let liveCounts = try reader.readInts()
        let liveTotals = try reader.readDoubles()
        let liveVariances = try reader.readDoubles()
        try reader.finish()
        guard !liveCounts.isEmpty, liveCounts.allSatisfy({ (0...maxBuckets).contains($0) }),
              liveCounts.reduce(0, +) == liveTotals.count, liveTotals.count == liveVariances.count else {
            throw .invalid("ADWIN bucket counts do not match the stored buckets")
        }
        for _ in 1..<liveCounts.count { buckets.addLevel() }
        var next = 0
        for (level, count) in liveCounts.enumerated() {
            let base = level * buckets.rowWidth
            for i in 0..<count {
                buckets.totals[base + i] = liveTotals[next]
                buckets.variances[base + i] = liveVariances[next]
                next += 1
            }
            buckets.counts[level] = count
        }
        buckets.regatherBelow = Int.max
    }
}
