import Foundation

/// The fold and the check of `ADWIN`, on the histogram itself: a batch of values inserted as
/// River inserts them one by one, River's merges, and River's test of every cut. `ADWIN` keeps
/// only the batch being collected, so that no call its per-value path makes can reach that
/// batch's count, and the compiler may keep the count in a register across updates.
extension ADWINBuckets {
    /// Folds the first `count` values of `batch` in and, when the clock says so, checks for a
    /// change. `restart`: a drift was signalled on the last fold, and River restarts the window
    /// on the update after it; the values then wait for the next fold unless the batch is full.
    /// The caller has made this histogram unique. Returns the values still waiting (0, or all of
    /// them after a restart), the count at which to fold next, and whether a drift was found.
    @usableFromInline
    func fold(_ batch: UnsafePointer<Double>, count: Int, restart: Bool) -> (waiting: Int, limit: Int, drift: Bool) {
        if restart {
            clear()
            let limit = min(Self.batchCapacity, clock)
            if count < limit { return (count, limit, false) }
        }
        settle(batch, count: count)
        var drift = false
        if sinceCheck == clock {
            sinceCheck = 0
            drift = detectChange()
        }
        // After a drift the limit is 1, so that the next update comes here and restarts.
        return (0, drift ? 1 : min(Self.batchCapacity, clock - sinceCheck), drift)
    }

    /// Empties the window, keeping the parameters (the caller has made this histogram unique).
    func clear() {
        for i in 0..<levels { counts[i] = 0 }
        regatherBelow = Int.max
        levels = 1
        total = 0
        variance = 0
        windowWidth = 0
        sinceCheck = 0
    }

    /// Inserts the first `n` values of `batch` as River inserts them one by one (no check).
    /// The caller has made this histogram unique.
    func settle(_ batch: UnsafePointer<Double>, count n: Int) {
        guard n > 0 else { return }
        let held = counts[0]
        let values = totals + held, zeros = variances + held
        // River adds each value's variance increment, computed from the total and width before
        // it, then the value to the total. Two values at a time: the totals chain, appending the
        // values to level 0, and the two increments, each River's operations in River's order
        // (the divisions side by side); then the variance chain in River's order.
        // The widths before and after each value, whole numbers below 2^53: stepping them is exact.
        let start = windowWidth
        let two = SIMD2<Double>(repeating: 2)
        var before = SIMD2(start, start + 1), after = SIMD2(start + 1, start + 2)
        var runningTotal = total
        var i = 0
        while i &+ 1 < n {
            let x = UnsafeRawPointer(batch + i).loadUnaligned(as: SIMD2<Double>.self)
            let t0 = runningTotal, t1 = runningTotal + x[0]
            runningTotal = t1 + x[1]
            store(x, at: values + i)
            store(SIMD2(repeating: 0), at: zeros + i)
            let d: SIMD2<Double> = x - SIMD2(t0, t1) / before
            let increment: SIMD2<Double> = before * d * d / after
            store(increment, at: increments + i)
            before += two
            after += two
            i &+= 2
        }
        if i < n {
            let x = batch[i]
            values[i] = x
            zeros[i] = 0
            let w = start + Double(i + 1)
            let d = x - runningTotal / (w - 1)
            increments[i] = (w - 1) * d * d / w
            runningTotal += x
        }
        // The first value into an empty window adds no variance (River skips the formula).
        if start == 0 { increments[0] = 0 }
        var runningVariance = variance
        for i in 0..<n { runningVariance += increments[i] }
        total = runningTotal
        variance = runningVariance
        windowWidth = start + Double(n)
        sinceCheck += n
        cascade(arriving: n)
    }

    /// Merges as River's `compress_buckets` does after each insert, once `arriving` buckets have
    /// been appended to level 0. A level merges its two oldest buckets whenever it holds
    /// `maxBuckets + 1`, so the merges at a level pair off the front of (its buckets, then the
    /// arriving ones) in order, and the merged buckets arrive, in order, at the next level.
    /// Each merge is River's arithmetic on the same two buckets.
    private func cascade(arriving count: Int) {
        var arriving = count
        var level = 0
        let width = rowWidth, maxBuckets = self.maxBuckets
        var counts = self.counts
        var totals = self.totals, variances = self.variances
        // 2^level and 2^-level: size is a power of two, so x * inverse rounds exactly as x / size
        var size = 1.0, inverse = 1.0
        while true {
            let all = counts[level] &+ arriving
            if all <= maxBuckets {
                counts[level] = all
                regatherBelow = max(regatherBelow, level &+ 1)
                return
            }
            if level &+ 1 == levels {
                addLevel()  // may move the rows
                counts = self.counts
                totals = self.totals + level &* width
                variances = self.variances + level &* width
            }
            let nextCount = counts[level &+ 1]
            let upTotals = totals + (width &+ nextCount), upVariances = variances + (width &+ nextCount)
            let merges = (all &- maxBuckets &+ 1) &>> 1
            // Two merges at a time, loading scalars: the buckets were just stored one by one, and
            // a wider load spanning two such stores would wait for them to retire.
            var m = 0
            while m &+ 1 < merges {
                let t0 = SIMD2(totals[2 &* m], totals[2 &* m &+ 2]), t1 = SIMD2(totals[2 &* m &+ 1], totals[2 &* m &+ 3])
                let v0 = SIMD2(variances[2 &* m], variances[2 &* m &+ 2]), v1 = SIMD2(variances[2 &* m &+ 1], variances[2 &* m &+ 3])
                let mu1: SIMD2<Double> = t0 * inverse
                let mu2: SIMD2<Double> = t1 * inverse
                let spread: SIMD2<Double> = size * 0.5 * (mu1 - mu2) * (mu1 - mu2)
                let merged: SIMD2<Double> = v0 + v1 + spread
                let sum: SIMD2<Double> = t0 + t1
                upTotals[m] = sum[0]
                upTotals[m &+ 1] = sum[1]
                upVariances[m] = merged[0]
                upVariances[m &+ 1] = merged[1]
                m &+= 2
            }
            if m < merges {
                let t0 = totals[2 &* m], t1 = totals[2 &* m &+ 1]
                let mu1 = t0 * inverse
                let mu2 = t1 * inverse
                upTotals[m] = t0 + t1
                upVariances[m] = variances[2 &* m] + variances[2 &* m &+ 1] + size * 0.5 * (mu1 - mu2) * (mu1 - mu2)
            }
            // Moves the remaining (at most maxBuckets) buckets to the front, two at a time: the
            // first six slots in straight-line code, then any further pairs of maxBuckets. The row
            // has room to read and write past its buckets (from + max(maxBuckets, 6) <= rowWidth),
            // and each pair is read (from 2 * merges >= 2 slots further on) before any store
            // could reach it.
            let from = 2 &* merges
            store(load(totals + from), at: totals)
            store(load(variances + from), at: variances)
            store(load(totals + (from &+ 2)), at: totals + 2)
            store(load(variances + (from &+ 2)), at: variances + 2)
            store(load(totals + (from &+ 4)), at: totals + 4)
            store(load(variances + (from &+ 4)), at: variances + 4)
            var i = 6
            while i < maxBuckets {
                store(load(totals + (from &+ i)), at: totals + i)
                store(load(variances + (from &+ i)), at: variances + i)
                i &+= 2
            }
            counts[level] = all &- from
            arriving = merges
            level &+= 1
            totals += width
            variances += width
            size += size
            inverse *= 0.5
        }
    }

    func addLevel() {
        regatherBelow = Int.max
        levels += 1
        reserve(levels: levels)
        counts[levels - 1] = 0
    }

    private func deleteOldestBucket() {
        let last = levels - 1
        let base = last * rowWidth
        let totals = self.totals + base, variances = self.variances + base
        let n = Double(sign: .plus, exponent: last, significand: 1)
        let u = totals[0], v = variances[0]
        let mu = u * Double(sign: .plus, exponent: -last, significand: 1)
        windowWidth -= n
        total -= u
        let muWindow = total / windowWidth
        variance -= v + n * windowWidth * (mu - muWindow) * (mu - muWindow) / (n + windowWidth)
        let remaining = counts[last] - 1
        for i in 0..<remaining {
            totals[i] = totals[i + 1]
            variances[i] = variances[i + 1]
        }
        counts[last] = remaining
        if remaining == 0 { levels -= 1 }
        regatherBelow = Int.max
    }

    private func detectChange() -> Bool {
        guard windowWidth > Double(gracePeriod) else { return false }
        var changed = false
        while hasSignificantCut() {
            changed = true
            deleteOldestBucket()
        }
        return changed
    }

    /// Tells whether any cut (W0 = oldest buckets, W1 = the rest) has means further apart than
    /// River's bound, with River's decision bit for bit. `ADWINCutFilter`, a test free of
    /// division and square root whose margins cover every rounding (its own, River's, and the
    /// difference between its running sums and River's), clears most cuts; the others are
    /// evaluated with River's running sums and River's operations in River's order. Which cut is
    /// significant does not matter: River then drops the oldest bucket.
    private func hasSignificantCut() -> Bool {
        let counts = self.counts, totals = self.totals, rowWidth = self.rowWidth
        let column = cutCapacity
        let cutN0 = cuts, cutU0 = cutN0 + column, riverU0 = cutU0 + column, riverU1 = riverU0 + column
        // Every cut but the one after the newest bucket, oldest first: n0 exactly, u0 summed
        // level by level so that the levels' sums do not wait for each other. Levels at and
        // above regatherBelow are as the last scan left them. Each level runs over all
        // maxBuckets slots, those past its count adding 0 and writing rows the next level
        // overwrites, so that the loop's branches do not depend on counts. n0 and the sizes are
        // whole numbers (powers of two) below 2^53: exact as doubles.
        let top = levels - 1
        let start = min(top, regatherBelow - 1)
        let levelFound = self.levelFound, levelN0 = self.levelN0
        let levelU0 = self.levelU0, levelMagnitudes = self.levelMagnitudes
        var n0 = 0.0, u0 = 0.0, magnitudes = 0.0
        var found = 0
        if start < top {
            found = levelFound[start]
            n0 = levelN0[start]
            u0 = levelU0[start]
            magnitudes = levelMagnitudes[start]
        }
        var size = Double(sign: .plus, exponent: start, significand: 1)  // 2^level
        var level = start
        while level >= 0 {
            let row = totals + level &* rowWidth
            levelFound[level] = found
            levelN0[level] = n0
            levelU0[level] = u0
            levelMagnitudes[level] = magnitudes
            // A cut inside level 0 leaves W1 fewer than counts[0] values: when that is below
            // minWindowLength River tests none of them, and they are left out (of the sums'
            // terms and magnitudes too, which only need to cover the cuts tested).
            if level == 0 && counts[0] <= minWindowLength { break }
            let count = level == 0 ? counts[0] &- 1 : counts[level]
            var local = 0.0, localMagnitudes = 0.0, cutN0Here = n0
            for k in 0..<maxBuckets {
                let keep = UInt64(bitPattern: Int64(k &- count) >> 63)  // all ones when k < count
                let t = Double(bitPattern: row[k].bitPattern & keep)
                local += t
                localMagnitudes += abs(t)
                cutN0Here += size
                cutN0[found &+ k] = cutN0Here
                cutU0[found &+ k] = u0 + local
            }
            n0 += Double(count) * size
            found &+= count
            u0 += local
            magnitudes += localMagnitudes
            size *= 0.5
            level &-= 1
        }
        regatherBelow = 0
        // n0 grows and n1 = width - n0 shrinks along the cuts: the long enough ones are a range.
        let minLength = Double(minWindowLength), width = windowWidth
        var first = 0, end = found
        while first < end && cutN0[first] < minLength { first &+= 1 }
        while end > first && width - cutN0[end &- 1] < minLength { end &-= 1 }
        guard first < end else { return false }

        let varianceInWindow = variance / width
        if !(width >= boundWidth && width < 2 * boundWidth) {
            boundWidth = width
            deltaPrimeBound = log(2 * log(width) / delta) * (1 - 0x1p-40)
        }
        let deltaPrimeBound = self.deltaPrimeBound
        // River's own delta', computed on the first cut the filter leaves undecided.
        var deltaPrime = Double.nan

        // River's running sums, cut by cut, as River runs them (only when a cut needs them).
        var riverSums = false
        func gatherRiverSums() {
            var u0 = 0.0, u1 = total, j = 0
            for level in stride(from: levels - 1, through: 0, by: -1) {
                let row = totals + level * rowWidth
                let count = level == 0 ? max(counts[0] - 1, 0) : counts[level]
                for k in 0..<count {
                    u0 += row[k]
                    u1 -= row[k]
                    riverU0[j] = u0
                    riverU1[j] = u1
                    j += 1
                }
            }
            riverSums = true
        }
        func riverCut(_ j: Int) -> Bool {
            if !riverSums { gatherRiverSums() }
            if deltaPrime.isNaN { deltaPrime = log(2 * log(width) / delta) }
            let linear = 2.0 / 3.0 * deltaPrime
            let n0 = cutN0[j], n1 = width - n0
            let deltaMean = riverU0[j] / n0 - riverU1[j] / n1
            let mRecip = 1 / (n0 - minLength + 1) + 1 / (n1 - minLength + 1)
            let epsilon = (2 * mRecip * varianceInWindow * deltaPrime).squareRoot() + linear * mRecip
            return abs(deltaMean) > epsilon
        }

        guard let filter = ADWINCutFilter(varianceInWindow: varianceInWindow, deltaPrime: deltaPrimeBound,
                                          linear: 2.0 / 3.0 * deltaPrimeBound,
                                          width: width, total: total, minLength: minLength,
                                          sumBound: abs(total) + magnitudes, terms: found + 2) else {
            for j in first..<end where riverCut(j) { return true }
            return false
        }
        // The quick test over every cut, without a branch; nearly always it clears them all.
        var unclear = SIMDMask<SIMD2<Int64>>(repeating: false)
        var j = first
        while j &+ 3 < end {
            let clearA = filter.quicklyClears(n0: load(cutN0 + j), u0: load(cutU0 + j))
            let clearB = filter.quicklyClears(n0: load(cutN0 + (j &+ 2)), u0: load(cutU0 + (j &+ 2)))
            unclear .|= .!(clearA .& clearB)
            j &+= 4
        }
        if j &+ 1 < end {
            unclear .|= .!filter.quicklyClears(n0: load(cutN0 + j), u0: load(cutU0 + j))
            j &+= 2
        }
        if j < end {
            unclear .|= .!filter.quicklyClears(n0: SIMD2(repeating: cutN0[j]), u0: SIMD2(repeating: cutU0[j]))
        }
        guard any(unclear) else { return false }
        j = first
        while j + 1 < end {
            let clear = filter.clears(n0: load(cutN0 + j), u0: load(cutU0 + j))
            if !all(clear) {
                if !clear[0] && riverCut(j) { return true }
                if !clear[1] && riverCut(j + 1) { return true }
            }
            j += 2
        }
        if j < end {
            let clear = filter.clears(n0: SIMD2(repeating: cutN0[j]), u0: SIMD2(repeating: cutU0[j]))
            if !clear[0] && riverCut(j) { return true }
        }
        return false
    }

    @inline(__always)
    func load(_ p: UnsafeMutablePointer<Double>) -> SIMD2<Double> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD2<Double>.self)
    }

    @inline(__always)
    func store(_ pair: SIMD2<Double>, at p: UnsafeMutablePointer<Double>) {
        UnsafeMutableRawPointer(p).storeBytes(of: pair, as: SIMD2<Double>.self)
    }
}
