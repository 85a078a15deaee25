/// The exponential histogram behind `ADWIN`: per level up to `maxBuckets + 1` bucket totals
/// and variances, oldest first, in raw buffers so the per-value path has no bounds or
/// uniqueness checks. `ADWIN` copies it before mutating when shared (copy on write).
final class ADWINBuckets: @unchecked Sendable {
    /// Slots per level (`maxBuckets + 1`).
    let rowWidth: Int
    private(set) var levelCapacity: Int
    private(set) var totals: UnsafeMutablePointer<Double>
    private(set) var variances: UnsafeMutablePointer<Double>
    /// Buckets in use per level (River's `current_idx`).
    private(set) var counts: UnsafeMutablePointer<Int>
    /// Scratch for a scan: n0, n1, u0, u1 of every candidate cut, one row of four per cut.
    private(set) var cuts: UnsafeMutablePointer<Double>

    init(rowWidth: Int, levelCapacity: Int = 32) {
        self.rowWidth = rowWidth
        self.levelCapacity = levelCapacity
        totals = .allocate(capacity: rowWidth * levelCapacity)
        variances = .allocate(capacity: rowWidth * levelCapacity)
        counts = .allocate(capacity: levelCapacity)
        cuts = .allocate(capacity: 4 * rowWidth * levelCapacity)
        cuts.initialize(repeating: 0, count: 4 * rowWidth * levelCapacity)
        counts.initialize(repeating: 0, count: levelCapacity)
        totals.initialize(repeating: 0, count: rowWidth * levelCapacity)
        variances.initialize(repeating: 0, count: rowWidth * levelCapacity)
    }

    deinit {
        totals.deallocate()
        variances.deallocate()
        counts.deallocate()
        cuts.deallocate()
    }

    func copy() -> ADWINBuckets {
        let other = ADWINBuckets(rowWidth: rowWidth, levelCapacity: levelCapacity)
        other.totals.update(from: totals, count: rowWidth * levelCapacity)
        other.variances.update(from: variances, count: rowWidth * levelCapacity)
        other.counts.update(from: counts, count: levelCapacity)
        return other
    }

    /// Makes room for at least `levels` levels.
    func reserve(levels: Int) {
        guard levels > levelCapacity else { return }
        var capacity = levelCapacity
        while capacity < levels { capacity *= 2 }
        let t = UnsafeMutablePointer<Double>.allocate(capacity: rowWidth * capacity)
        let v = UnsafeMutablePointer<Double>.allocate(capacity: rowWidth * capacity)
        let c = UnsafeMutablePointer<Int>.allocate(capacity: capacity)
        t.initialize(repeating: 0, count: rowWidth * capacity)
        v.initialize(repeating: 0, count: rowWidth * capacity)
        c.initialize(repeating: 0, count: capacity)
        t.update(from: totals, count: rowWidth * levelCapacity)
        v.update(from: variances, count: rowWidth * levelCapacity)
        c.update(from: counts, count: levelCapacity)
        totals.deallocate()
        variances.deallocate()
        counts.deallocate()
        cuts.deallocate()
        cuts = .allocate(capacity: 4 * rowWidth * capacity)
        cuts.initialize(repeating: 0, count: 4 * rowWidth * capacity)
        totals = t
        variances = v
        counts = c
        levelCapacity = capacity
    }
}
