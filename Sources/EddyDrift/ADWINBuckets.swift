/// The exponential histogram behind `ADWIN`: per level its bucket totals and variances, oldest
/// first, plus the scratch space of a scan, in raw buffers so the hot loops have no bounds or
/// uniqueness checks. A level holds at most `maxBuckets` buckets between updates; its row has
/// room for a whole batch more, so that arriving buckets are appended in place before the level
/// merges, and for `maxBuckets` beyond, so that loops of fixed length may read past the buckets.
/// It also holds River's running state of the window and the detector's parameters, so that
/// folding a batch in (`fold`, in ADWINFold.swift) needs nothing else. `ADWIN` copies it before
/// mutating when shared (copy on write).
@usableFromInline
final class ADWINBuckets: @unchecked Sendable {
    /// Values `ADWIN` collects before it folds them into the histogram.
    static let batchCapacity = 32
    let delta: Double, clock: Int, maxBuckets: Int, minWindowLength: Int, gracePeriod: Int
    /// Levels in use.
    var levels = 0
    /// River's running sum and variance (unnormalised) of the values the histogram summarises.
    var total = 0.0
    var variance = 0.0
    /// Values the histogram summarises (River's `width`, before the values `ADWIN` collects).
    var windowWidth = 0.0
    /// Updates folded in since the last check (River's `tick % clock`).
    var sinceCheck = 0
    /// Slots per level: a batch's arrivals beyond `maxBuckets`, and room to read and write a
    /// fixed `max(maxBuckets, 6)` slots past the merged ones (`cascade`).
    let rowWidth: Int
    private(set) var levelCapacity: Int
    private(set) var totals: UnsafeMutablePointer<Double>
    private(set) var variances: UnsafeMutablePointer<Double>
    /// Buckets in use per level (River's `current_idx`).
    private(set) var counts: UnsafeMutablePointer<Int>
    /// Scan scratch: for every cut n0, the filter's u0, and River's u0 and u1, each in its own
    /// column of `cutCapacity` entries (so that a pair of cuts loads as one SIMD2 per quantity).
    private(set) var cuts: UnsafeMutablePointer<Double>
    private(set) var cutCapacity: Int
    /// The scan's running state before each level, oldest level first (cut index, n0, the
    /// filter's u0, sum of |bucket total|): still valid for the levels at and above
    /// `regatherBelow` when the next scan comes, so only the levels below are summed again.
    private(set) var levelFound: UnsafeMutablePointer<Int>
    private(set) var levelN0: UnsafeMutablePointer<Double>
    private(set) var levelU0: UnsafeMutablePointer<Double>
    private(set) var levelMagnitudes: UnsafeMutablePointer<Double>
    /// Levels below this one changed since the last scan (`Int.max`: all of them).
    var regatherBelow = Int.max
    /// River's delta' at `boundWidth`, lowered by 2^-40 relatively: a lower bound of River's
    /// delta' at any width from `boundWidth` up to twice it (delta' grows with the width, and
    /// each computed value is within 10 ulps of the exact one), which is all the filter needs.
    var boundWidth = 0.0
    var deltaPrimeBound = 0.0
    /// Batch scratch: the variance increments of the values being folded in.
    let increments: UnsafeMutablePointer<Double>

    /// An empty histogram; `clear()` makes it a window of one empty level.
    init(delta: Double, clock: Int, maxBuckets: Int, minWindowLength: Int, gracePeriod: Int, levelCapacity: Int = 32) {
        self.delta = delta
        self.clock = clock
        self.maxBuckets = maxBuckets
        self.minWindowLength = minWindowLength
        self.gracePeriod = gracePeriod
        rowWidth = max(2 * maxBuckets, maxBuckets + 6) + Self.batchCapacity
        self.levelCapacity = levelCapacity
        totals = .allocate(capacity: rowWidth * levelCapacity)
        variances = .allocate(capacity: rowWidth * levelCapacity)
        counts = .allocate(capacity: levelCapacity)
        cutCapacity = Self.cutCapacity(maxBuckets: maxBuckets, levels: levelCapacity)
        cuts = .allocate(capacity: 4 * cutCapacity)
        cuts.initialize(repeating: 0, count: 4 * cutCapacity)
        counts.initialize(repeating: 0, count: levelCapacity)
        totals.initialize(repeating: 0, count: rowWidth * levelCapacity)
        variances.initialize(repeating: 0, count: rowWidth * levelCapacity)
        (levelFound, levelN0, levelU0, levelMagnitudes) = Self.levelScratch(levelCapacity)
        let n = Self.batchCapacity
        increments = .allocate(capacity: n)
        increments.initialize(repeating: 0, count: n)
    }

    private static func levelScratch(_ capacity: Int) -> (UnsafeMutablePointer<Int>, UnsafeMutablePointer<Double>,
                                                           UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>) {
        let found = UnsafeMutablePointer<Int>.allocate(capacity: capacity)
        let n0 = UnsafeMutablePointer<Double>.allocate(capacity: capacity)
        let u0 = UnsafeMutablePointer<Double>.allocate(capacity: capacity)
        let magnitudes = UnsafeMutablePointer<Double>.allocate(capacity: capacity)
        found.initialize(repeating: 0, count: capacity)
        n0.initialize(repeating: 0, count: capacity)
        u0.initialize(repeating: 0, count: capacity)
        magnitudes.initialize(repeating: 0, count: capacity)
        return (found, n0, u0, magnitudes)
    }

    private func deallocateLevelScratch() {
        levelFound.deallocate()
        levelN0.deallocate()
        levelU0.deallocate()
        levelMagnitudes.deallocate()
    }

    deinit {
        deallocateLevelScratch()
        totals.deallocate()
        variances.deallocate()
        counts.deallocate()
        cuts.deallocate()
        increments.deallocate()
    }

    /// Room for a scan's rows: at most maxBuckets cuts a level, and maxBuckets more written
    /// past the last one.
    private static func cutCapacity(maxBuckets: Int, levels: Int) -> Int {
        maxBuckets * (levels + 1)
    }

    @usableFromInline
    func copy() -> ADWINBuckets {
        let other = ADWINBuckets(delta: delta, clock: clock, maxBuckets: maxBuckets, minWindowLength: minWindowLength,
                                 gracePeriod: gracePeriod, levelCapacity: levelCapacity)
        other.levels = levels
        other.total = total
        other.variance = variance
        other.windowWidth = windowWidth
        other.sinceCheck = sinceCheck
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
        deallocateLevelScratch()
        (levelFound, levelN0, levelU0, levelMagnitudes) = Self.levelScratch(capacity)
        regatherBelow = Int.max
        cutCapacity = Self.cutCapacity(maxBuckets: maxBuckets, levels: capacity)
        cuts = .allocate(capacity: 4 * cutCapacity)
        cuts.initialize(repeating: 0, count: 4 * cutCapacity)
        totals = t
        variances = v
        counts = c
        levelCapacity = capacity
    }
}
