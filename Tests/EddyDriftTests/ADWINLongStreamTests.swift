import Foundation
import Testing
@testable import EddyDrift

/// River 0.26.1's ADWIN (`rust_src/adwin.rs` behind `river.drift.ADWIN`) transcribed operation
/// for operation, one value at a time, without any of Eddy's batching or filtering. It agrees
/// with River's fixtures (checked below), and serves as the oracle on streams far longer than a
/// fixture can hold.
struct RiverADWINTranscript {
    let delta: Double, clock: Int, maxBuckets: Int, minWindowLength: Double, gracePeriod: Double
    var total = 0.0, variance = 0.0, width = 0.0, tick = 0
    var rows: [[(total: Double, variance: Double)]] = [[]]
    var driftDetected = false

    init(delta: Double = 0.002, clock: Int = 32, maxBuckets: Int = 5, minWindowLength: Int = 5, gracePeriod: Int = 10) {
        self.delta = delta
        self.clock = clock
        self.maxBuckets = maxBuckets
        self.minWindowLength = Double(minWindowLength)
        self.gracePeriod = Double(gracePeriod)
    }

    var estimation: Double { width == 0 ? 0 : total / width }

    mutating func update(_ value: Double) {
        if driftDetected { self = RiverADWINTranscript(delta: delta, clock: clock, maxBuckets: maxBuckets,
                                                       minWindowLength: Int(minWindowLength), gracePeriod: Int(gracePeriod)) }
        rows[0].append((value, 0))
        width += 1
        var increment = 0.0
        if width > 1 {
            let d = value - total / (width - 1)
            increment = (width - 1) * d * d / width
        }
        variance += increment
        total += value
        var level = 0
        while rows[level].count == maxBuckets + 1 {
            let n = Double(1 << level)
            let (t0, v0) = rows[level][0], (t1, v1) = rows[level][1]
            let mu1 = t0 / n, mu2 = t1 / n
            let merged = (t0 + t1, v0 + v1 + n * 0.5 * (mu1 - mu2) * (mu1 - mu2))
            if level + 1 == rows.count { rows.append([]) }
            rows[level + 1].append(merged)
            rows[level].removeFirst(2)
            if rows[level + 1].count <= maxBuckets { break }
            level += 1
        }
        driftDetected = detectChange()
    }

    private mutating func detectChange() -> Bool {
        var changed = false
        tick += 1
        guard tick % clock == 0 && width > gracePeriod else { return false }
        var reduce = true
        while reduce {
            reduce = false
            var n0 = 0.0, n1 = width, u0 = 0.0, u1 = total
            scan: for level in stride(from: rows.count - 1, through: 0, by: -1) {
                let size = Double(1 << level)
                for k in rows[level].indices {
                    n0 += size
                    n1 -= size
                    u0 += rows[level][k].total
                    u1 -= rows[level][k].total
                    if level == 0 && k == rows[level].count - 1 { break scan }
                    let deltaMean = u0 / n0 - u1 / n1
                    if n1 >= minWindowLength && n0 >= minWindowLength && significant(n0, n1, deltaMean) {
                        reduce = true
                        changed = true
                        deleteOldest()
                        break scan
                    }
                }
            }
        }
        return changed
    }

    private func significant(_ n0: Double, _ n1: Double, _ deltaMean: Double) -> Bool {
        let deltaPrime = log(2 * log(width) / delta)
        let mRecip = 1 / (n0 - minWindowLength + 1) + 1 / (n1 - minWindowLength + 1)
        let epsilon = (2 * mRecip * (variance / width) * deltaPrime).squareRoot() + 2.0 / 3.0 * deltaPrime * mRecip
        return abs(deltaMean) > epsilon
    }

    private mutating func deleteOldest() {
        let last = rows.count - 1
        let n = Double(1 << last)
        let (u, v) = rows[last][0]
        let mu = u / n
        width -= n
        total -= u
        let muWindow = total / width
        variance -= v + n * width * (mu - muWindow) * (mu - muWindow) / (n + width)
        rows[last].removeFirst()
        if rows[last].isEmpty { rows.removeLast() }
    }
}

/// A seeded stream of normal-looking noise (sum of four uniforms) whose mean jumps every
/// `segment` values, at a chosen scale.
func noisyStream(count: Int, segment: Int, scale: Double, seed: UInt64) -> [Double] {
    var state = seed
    func uniform() -> Double {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Double(state >> 11) * 0x1p-53
    }
    var mean = 0.0
    return (0..<count).map { i in
        if i % segment == 0 { mean = (uniform() * 4 - 2) * scale }
        return mean + (uniform() + uniform() + uniform() + uniform() - 2) * scale
    }
}

@Suite struct ADWINLongStreamTests {
    static let settings: [(delta: Double, clock: Int, maxBuckets: Int, minWindowLength: Int, gracePeriod: Int)] = [
        (0.002, 32, 5, 5, 10), (0.05, 1, 5, 3, 5), (0.002, 16, 3, 5, 10), (0.01, 7, 2, 1, 0),
        (0.002, 100, 5, 5, 10), (0.3, 33, 2, 2, 0), (0.01, 32, 9, 5, 10),
    ]

    static let streams: [(name: String, values: [Double])] = [
        ("unit noise, jumps every 5000", noisyStream(count: 40_000, segment: 5_000, scale: 1, seed: 1)),
        ("unit noise, jumps every 700", noisyStream(count: 20_000, segment: 700, scale: 1, seed: 2)),
        ("tiny values", noisyStream(count: 10_000, segment: 1_500, scale: 1e-300, seed: 3)),
        ("huge values", noisyStream(count: 10_000, segment: 1_500, scale: 1e140, seed: 4)),
        ("mean far from zero", noisyStream(count: 10_000, segment: 2_000, scale: 1, seed: 5).map { $0 + 1e9 }),
        ("constant", [Double](repeating: 0.25, count: 5_000)),
        ("binary errors", noisyStream(count: 12_000, segment: 3_000, scale: 1, seed: 6).map { $0 > 0.4 ? 1 : 0 }),
    ]

    @Test(arguments: 0..<settings.count)
    func detectionsAndEstimatesEqualTheTranscriptOfRiver(_ index: Int) throws {
        let p = Self.settings[index]
        for (name, values) in Self.streams {
            var eddy = try ADWIN(delta: p.delta, clock: p.clock, maxBuckets: p.maxBuckets,
                                 minWindowLength: p.minWindowLength, gracePeriod: p.gracePeriod)
            var river = RiverADWINTranscript(delta: p.delta, clock: p.clock, maxBuckets: p.maxBuckets,
                                             minWindowLength: p.minWindowLength, gracePeriod: p.gracePeriod)
            var eddyDrifts: [Int] = [], riverDrifts: [Int] = []
            var sameEstimates = true, sameStates = true
            for (i, v) in values.enumerated() {
                eddy.update(v)
                river.update(v)
                if eddy.driftDetected { eddyDrifts.append(i) }
                if river.driftDetected { riverDrifts.append(i) }
                if i % 97 == 0 {
                    sameEstimates = sameEstimates && eddy.width == river.width
                        && eddy.estimation.bitPattern == river.estimation.bitPattern
                    sameStates = try sameStates && Self.holdsTheSameState(eddy, river)
                }
            }
            #expect(eddyDrifts == riverDrifts, "\(name), \(p)")
            #expect(sameEstimates, "\(name), \(p)")
            #expect(sameStates, "\(name), \(p)")
            #expect(eddy.width == river.width && eddy.estimation.bitPattern == river.estimation.bitPattern, "\(name), \(p)")
        }
    }

    /// Whether Eddy's window, with the values it has collected folded in, is River's bit for
    /// bit: the running total and variance, and every bucket's total and variance.
    static func holdsTheSameState(_ eddy: ADWIN, _ river: RiverADWINTranscript) throws -> Bool {
        let settled = try ADWIN(state: eddy.serialized()).buckets
        guard settled.total.bitPattern == river.total.bitPattern, settled.variance.bitPattern == river.variance.bitPattern,
              settled.windowWidth == river.width, settled.levels == river.rows.count else { return false }
        for (level, row) in river.rows.enumerated() {
            guard settled.counts[level] == row.count else { return false }
            for (k, bucket) in row.enumerated() {
                let slot = level * settled.rowWidth + k
                guard settled.totals[slot].bitPattern == bucket.total.bitPattern,
                      settled.variances[slot].bitPattern == bucket.variance.bitPattern else { return false }
            }
        }
        return true
    }

    @Test func theTranscriptMatchesRiversFixtures() throws {
        let reference = DriftReference.shared
        for c in reference.cases where c.detector == "adwin" {
            var river = RiverADWINTranscript(delta: c.params["delta"].flatMap(Double.init) ?? 0.002,
                                             clock: c.params["clock"].flatMap(Int.init) ?? 32,
                                             maxBuckets: c.params["max_buckets"].flatMap(Int.init) ?? 5,
                                             minWindowLength: c.params["min_window_length"].flatMap(Int.init) ?? 5,
                                             gracePeriod: c.params["grace_period"].flatMap(Int.init) ?? 10)
            var drifts: [Int] = []
            for (i, v) in reference.streams[c.stream]!.enumerated() {
                river.update(v)
                if river.driftDetected { drifts.append(i) }
            }
            #expect(drifts == c.drifts, "\(c.testDescription)")
        }
    }

    @Test func serialisingBetweenChecksGivesRiversStateAndContinuesAlike() throws {
        let values = noisyStream(count: 6_000, segment: 1_000, scale: 1, seed: 7)
        var uninterrupted = try ADWIN()
        var drifts: [Int] = []
        for (i, v) in values.enumerated() {
            uninterrupted.update(v)
            if uninterrupted.driftDetected { drifts.append(i) }
        }
        #expect(drifts.count >= 3)
        // Also right after a drift (the restored detector must restart its window on the next
        // update) and one update later.
        for cut in [1, 31, 32, 33, 517, 2_050, 4_999, drifts[0] + 1, drifts[0] + 2, drifts[1] + 1] {
            var head = try ADWIN()
            var seen: [Int] = []
            for (i, v) in values[..<cut].enumerated() {
                head.update(v)
                if head.driftDetected { seen.append(i) }
            }
            if cut == drifts[0] + 1 { #expect(head.driftDetected) }
            let blob = head.serialized()
            var restored = try ADWIN(state: blob)
            #expect(restored.serialized() == blob, "cut \(cut)")
            #expect(restored.width == head.width && restored.estimation.bitPattern == head.estimation.bitPattern, "cut \(cut)")
            for (i, v) in values[cut...].enumerated() {
                restored.update(v)
                if restored.driftDetected { seen.append(cut + i) }
            }
            #expect(seen == drifts, "cut \(cut)")
        }
    }

    /// A copy taken in the middle of a batch (values collected, not yet folded in) shares the
    /// histogram until either side folds: each must then go on exactly as an uncopied detector
    /// fed the same values, drifts and state blob alike.
    @Test func copiesTakenMidBatchGoOnAsUncopiedDetectors() throws {
        let head = noisyStream(count: 10_017, segment: 2_500, scale: 1, seed: 8)
        let left = noisyStream(count: 9_000, segment: 1_800, scale: 1, seed: 9)
        let right = noisyStream(count: 9_000, segment: 3_000, scale: 2, seed: 10)
        func run(_ detector: inout ADWIN, _ values: [Double]) -> [Int] {
            var drifts: [Int] = []
            for (i, v) in values.enumerated() {
                detector.update(v)
                if detector.driftDetected { drifts.append(i) }
            }
            return drifts
        }
        var a = try ADWIN()
        _ = run(&a, head)
        var b = a
        let leftDrifts = run(&a, left), rightDrifts = run(&b, right)
        var soloLeft = try ADWIN(), soloRight = try ADWIN()
        _ = run(&soloLeft, head)
        _ = run(&soloRight, head)
        #expect(run(&soloLeft, left) == leftDrifts)
        #expect(run(&soloRight, right) == rightDrifts)
        #expect(!leftDrifts.isEmpty && !rightDrifts.isEmpty)
        #expect(a.serialized() == soloLeft.serialized())
        #expect(b.serialized() == soloRight.serialized())
    }

    /// Cuts whose mean difference lies within a few hundred ulps of River's bound, on either
    /// side: the filter may leave them to River's evaluation, but must never clear one River
    /// calls significant.
    @Test func theFilterNeverClearsACutRiverCallsSignificant() {
        var state: UInt64 = 99
        func uniform() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) * 0x1p-53
        }
        var cleared = 0, plain = 0
        for trial in 0..<1_500 {
            let minLength = Double(1 + trial % 6)
            let n0 = (minLength + (pow(2, uniform() * 20)).rounded(.down))
            let n1 = (minLength + (pow(2, uniform() * 20)).rounded(.down))
            let width = n0 + n1
            let delta = [0.002, 0.05, 0.3][trial % 3]
            let deltaPrime = log(2 * log(width) / delta)
            let linear = 2.0 / 3.0 * deltaPrime
            let variance = trial % 11 == 0 ? 0 : pow(10, uniform() * 12 - 6)
            let mRecip = 1 / (n0 - minLength + 1) + 1 / (n1 - minLength + 1)
            let epsilon = (2 * mRecip * variance * deltaPrime).squareRoot() + linear * mRecip
            let mean = (uniform() - 0.5) * pow(10, uniform() * 8 - 4)
            let closeCalls = stride(from: -300.0, through: 300, by: 11).map { 1 + $0 * 0x1p-52 }
            for factor in closeCalls + [0, 0.5, 0.99] {
                let target = epsilon * factor * (trial % 2 == 0 ? 1 : -1)
                let u1 = n1 * mean, u0 = n0 * (mean + target)
                let significant = abs(u0 / n0 - u1 / n1) > epsilon
                // The window's total as River would hold it, and the least sum bound the filter
                // allows (|u0| and |u1| at most twice it) for sums of two terms.
                let total = u0 + u1
                guard let filter = ADWINCutFilter(varianceInWindow: variance, deltaPrime: deltaPrime, linear: linear,
                                                  width: width, total: total, minLength: minLength,
                                                  sumBound: max(abs(u0), abs(u1), abs(total)) / 2, terms: 2) else { continue }
                let clear = filter.clears(n0: SIMD2(n0, n0), u0: SIMD2(u0, u0))
                if factor <= 0.99 {
                    plain += 1
                    if clear[0] { cleared += 1 }
                }
                #expect(!(clear[0] && significant), "n0 \(n0) n1 \(n1) u0 \(u0) u1 \(u1) v \(variance)")
            }
        }
        // Of use only if it clears the cuts that are not close calls.
        #expect(cleared > plain * 99 / 100)
    }
}
