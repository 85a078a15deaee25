import Foundation

/// Scalar kernels shared by the tape, the models' forward-only predictions and the
/// hand-written reference loops, so every path computes the same bits.
enum Kernels {
    /// `1 / (1 + e^-x)`, evaluated on the side where `e^` cannot overflow.
    @inline(__always)
    static func sigmoid(_ x: Double) -> Double {
        if x >= 0 { return 1 / (1 + Foundation.exp(-x)) }
        let e = Foundation.exp(x)
        return e / (1 + e)
    }

    /// `log(1 + e^x)` as `max(x, 0) + log1p(e^-|x|)`.
    @inline(__always)
    static func softplus(_ x: Double) -> Double {
        max(x, 0) + Foundation.log1p(Foundation.exp(-abs(x)))
    }

    static func softmax(_ x: UnsafePointer<Double>, into y: UnsafeMutablePointer<Double>, count: Int) {
        var top = -Double.infinity
        for i in 0..<count { top = max(top, x[i]) }
        var total = 0.0
        for i in 0..<count {
            y[i] = Foundation.exp(x[i] - top)
            total += y[i]
        }
        for i in 0..<count { y[i] /= total }
    }

    static func logSoftmax(_ x: UnsafePointer<Double>, into y: UnsafeMutablePointer<Double>, count: Int) {
        var top = -Double.infinity
        for i in 0..<count { top = max(top, x[i]) }
        var total = 0.0
        for i in 0..<count { total += Foundation.exp(x[i] - top) }
        let shift = top + Foundation.log(total)
        for i in 0..<count { y[i] = x[i] - shift }
    }

    static func logSoftmaxAt(_ x: UnsafePointer<Double>, count: Int, index: Int) -> Double {
        var top = -Double.infinity
        for i in 0..<count { top = max(top, x[i]) }
        var total = 0.0
        for i in 0..<count { total += Foundation.exp(x[i] - top) }
        return x[index] - top - Foundation.log(total)
    }

    /// The per-element value of a loss of prediction `p` against target `t`.
    @inline(__always)
    static func loss(_ op: GradientTape.Op, _ p: Double, _ t: Double, _ param: Double) -> Double {
        switch op {
        case .squaredError:
            let r = p - t
            return r * r
        case .huber:
            let r = abs(p - t)
            return r <= param ? 0.5 * r * r : param * (r - 0.5 * param)
        case .binaryLogLoss:
            return max(p, 0) - p * t + Foundation.log1p(Foundation.exp(-abs(p)))
        default:
            let sign: Double = t > 0 ? 1 : -1
            return max(0, 1 - sign * p)
        }
    }

    /// The binary log-loss of logit `p` against label `t` in parts that share one `exp`:
    /// `head + log1p(e)` is `loss(.binaryLogLoss, p, t, 0)` and `slope` is
    /// `lossDerivative(.binaryLogLoss, p, t, 0)`, bit for bit. `log1p(e)` lies in [0, log 2], so
    /// the loss is finite exactly when `head` is.
    @inline(__always)
    static func binaryLogLossParts(_ p: Double, _ t: Double) -> (head: Double, e: Double, slope: Double) {
        let e = Foundation.exp(-abs(p))
        // The derivative is -sigmoid(-p) for t == 1, sigmoid(p) - t otherwise (as `lossDerivative`);
        // sigmoid(z) is 1 / (1 + e^-|z|) for z >= 0 and e^-|z| / (1 + e^-|z|) below, as `sigmoid` computes it.
        let z = t == 1 ? -p : p
        let s = z >= 0 ? 1 / (1 + e) : e / (1 + e)
        return (max(p, 0) - p * t, e, t == 1 ? -s : t == 0 ? s : s - t)
    }

    /// The derivative of `loss(op, p, t, param)` with respect to `p`.
    @inline(__always)
    static func lossDerivative(_ op: GradientTape.Op, _ p: Double, _ t: Double, _ param: Double) -> Double {
        switch op {
        case .squaredError:
            return 2 * (p - t)
        case .huber:
            return min(max(p - t, -param), param)
        case .binaryLogLoss:
            // sigmoid(p) - t, without the cancellation of sigmoid(p) - 1 for confident logits.
            if t == 1 { return -sigmoid(-p) }
            if t == 0 { return sigmoid(p) }
            return sigmoid(p) - t
        default:
            let sign: Double = t > 0 ? 1 : -1
            return 1 - sign * p > 0 ? -sign : 0
        }
    }
}
