/// A cheap test that clears ADWIN cuts River would not call significant, two cuts at a time,
/// with multiplications and additions only. A cut it does not clear is decided with River's
/// own operations; a cut it clears River would have rejected too, so the detector's decisions
/// stay River's bit for bit.
///
/// River calls a cut (n0, n1, u0, u1) significant when, in floating point,
/// |u0/n0 - u1/n1| > sqrt(2 m v d) + c m, with m = 1/A + 1/B, A = n0 - L + 1, B = n1 - L + 1,
/// v the window variance, d River's delta', c = 2/3 d (the doubles River uses; the test may be
/// given lower bounds of d and c instead, as the right side below only grows with them). Write u for
/// 2^-53. Each of River's operations rounds by at most u relatively (plus 2^-1075 absolutely for
/// an underflow), so River's |dm| is at most |a - b| + 2.01u (|a| + |b|) + 2^-1073 (a = u0/n0,
/// b = u1/n1, exact) and River's epsilon at least (1 - 5u) eps, eps the exact bound. River
/// therefore rejects the cut if, multiplying by N = n0 n1 and Q = A B, with S = A + B and
/// R = 2 v d S Q N^2 (so that N Q eps = sqrt(R) + c S N):
///
///     (|u0 n1 - u1 n0| + 2.01u (|u0| n1 + |u1| n0) + 2^-1073 N) Q  <=  (1 - 5u) (sqrt(R) + c S N).
///
/// All n are integers below 2^53, so A, B, S = W - 2(L - 1) and n1 = W - n0 are exact. The
/// test's running sums u0' (summed level by level) and u1' = total - u0' are not River's u0 and
/// u1, but every one of these is a float sum of at most `terms` (K) of total and the bucket
/// totals t, so each lies within 1.01 K u (|total| + sum |t|) of the exact sum and is at most
/// twice `sumBound` = |total| + sum |t|. Then |u0 n1 - u1 n0| + 2.01u (|u0| n1 + |u1| n0), with
/// River's sums, is at most (1 + 1.01u) (|u0' n1 - u1' n0| computed + (8.1 + 2.02 K) u sumBound W).
/// The test computes |u0' n1 - u1' n0| as |u0' W - total n0| (equal in exact arithmetic, with
/// u1' = total - u0' exact; its roundings cost at most 3u sumBound W) and, rounding as it goes,
///
///     X = |u0' W - total n0| + ((64 + 8 K) u sumBound W + 1e-280),   P = X Q (1 + 2^-48),
///     T = N (c S (1 - 2^-40)),      R' = (2 v d S (1 - 2^-40)) Q (N N),      G = P - T,
///
/// and clears the cut when G <= 0 or G^2 <= R'. First, though, a quicker test that clears
/// nearly every cut: N eps >= N sqrt(2 v d m) = sqrt(2 v d W N (m N / W)) >= sqrt(2 v d W N),
/// because m N = n0 n1 / A + n0 n1 / B >= n1 + n0 = W. River therefore rejects the cut if
/// (1 + 1.01u) X <= (1 - 5u) sqrt(2 v d W N), which X^2 <= (2 v d W (1 - 2^-40)) N, computed,
/// implies (the margin again absorbs every rounding; X^2 underflows only for X < 1e-154, and
/// then the left side is far below (1 - 5u) N c m >= 0.39, so River rejects as well).
/// In the full test, the left side of the inequality above is at most P (1 - 26u):
/// the slack term exceeds what the sums' differences and roundings can add, 1e-280 exceeds
/// 2^-1072 N for N < 1e30, and the factor 2^-48 (32u) exceeds the 5u the test's own roundings
/// of X and P can lose. T is at most (1 - 8000u) c S N and R' at most (1 - 8000u) R. So G <= 0
/// (that is P <= T) implies the inequality; otherwise H = left side - (1 - 5u) c S N is at most
/// G, and G^2 <= R' implies H^2 <= (1 - 5u)^2 R. G does not underflow when it matters: H > 0
/// needs P > T >= 0.4 (c >= 0.2 because d = log(2 log W / delta) > 0.32 for W >= 2, S >= 2,
/// N >= 1), so G >= 25u P > 1e-15. A negative v (River's epsilon is then NaN, and River rejects
/// every cut) makes R' <= 0, and only the G <= 0 branch can clear. Infinities and NaNs never
/// clear a cut (comparisons with NaN are false, and R' stays finite under the guards of `init`),
/// so an overflow in the test sends the cut to River's evaluation.
struct ADWINCutFilter {
    private let width: SIMD2<Double>
    private let total: SIMD2<Double>
    private let offset: SIMD2<Double>
    private let slack: SIMD2<Double>
    private let grow = SIMD2<Double>(repeating: 1 + 0x1p-48)
    private let linear: SIMD2<Double>
    private let spread: SIMD2<Double>
    private let quick: SIMD2<Double>

    /// nil when the margins above do not hold: a variance that is not finite or so large that
    /// R could overflow, a delta' that is not positive and finite, or a window so wide that n0 n1
    /// reaches 1e30 or n stops being exact, or sums of too many terms for the bound on them.
    init?(varianceInWindow v: Double, deltaPrime d: Double, linear c: Double, width: Double, total: Double,
          minLength: Double, sumBound: Double, terms: Int) {
        guard v.isFinite, abs(v) < 1e150, d.isFinite, d > 0, c > 0, width < 1e15, width >= 2 * minLength,
              terms < 1 << 20 else { return nil }
        self.width = SIMD2(repeating: width)
        self.total = SIMD2(repeating: total)
        let shrink = 1 - 0x1p-40
        let sum = width - 2 * (minLength - 1)
        offset = SIMD2(repeating: minLength - 1)
        slack = SIMD2(repeating: Double(64 + 8 * terms) * 0x1p-53 * sumBound * width + 1e-280)
        linear = SIMD2(repeating: c * sum * shrink)
        spread = SIMD2(repeating: 2 * v * d * sum * shrink)
        quick = SIMD2(repeating: 2 * v * d * width * shrink)
    }

    /// For two cuts, given n0 and u0', whether the quick test clears each (true: River would
    /// not call it significant).
    @inline(__always)
    func quicklyClears(n0: SIMD2<Double>, u0: SIMD2<Double>) -> SIMDMask<SIMD2<Int64>> {
        let x: SIMD2<Double> = magnitudePlusSlack(n0: n0, u0: u0)
        return x * x .<= quick * (n0 * (width - n0))
    }

    @inline(__always)
    private func magnitudePlusSlack(n0: SIMD2<Double>, u0: SIMD2<Double>) -> SIMD2<Double> {
        let difference: SIMD2<Double> = u0 * width - total * n0
        let magnitude = unsafeBitCast(unsafeBitCast(difference, to: SIMD2<UInt64>.self) & SIMD2(repeating: ~(1 << 63)), to: SIMD2<Double>.self)
        return magnitude + slack
    }

    /// For two cuts, given n0 and u0', whether the quick or the full test clears each (true:
    /// River would not call it significant).
    @inline(__always)
    func clears(n0: SIMD2<Double>, u0: SIMD2<Double>) -> SIMDMask<SIMD2<Int64>> {
        let n1: SIMD2<Double> = width - n0
        let n: SIMD2<Double> = n0 * n1
        let x: SIMD2<Double> = magnitudePlusSlack(n0: n0, u0: u0)
        let quickly = x * x .<= quick * n
        let q: SIMD2<Double> = (n0 - offset) * (n1 - offset)
        let p: SIMD2<Double> = x * q * grow
        let g: SIMD2<Double> = p - n * linear
        let r: SIMD2<Double> = spread * q * (n * n)
        return quickly .| (g .<= 0) .| (g * g .<= r)
    }
}
