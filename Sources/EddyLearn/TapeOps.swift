import EddyFeatures
import Foundation

/// The differentiable ops. Each computes its value now (eager) and records what the
/// backward pass needs; shapes that do not fit are programming errors and stop the program.
extension GradientTape {
    // MARK: elementwise with broadcasting

    /// `a + b`, NumPy broadcasting.
    public mutating func add(_ a: TensorHandle, _ b: TensorHandle) -> TensorHandle { binary(.add, a, b) }
    /// `a - b`, NumPy broadcasting.
    public mutating func sub(_ a: TensorHandle, _ b: TensorHandle) -> TensorHandle { binary(.sub, a, b) }
    /// `a * b` elementwise, NumPy broadcasting.
    public mutating func mul(_ a: TensorHandle, _ b: TensorHandle) -> TensorHandle { binary(.mul, a, b) }
    /// `a / b` elementwise, NumPy broadcasting. A zero divisor makes `backward` throw `.nonFinite`.
    public mutating func div(_ a: TensorHandle, _ b: TensorHandle) -> TensorHandle { binary(.div, a, b) }

    mutating func binary(_ op: Op, _ a: TensorHandle, _ b: TensorHandle) -> TensorHandle {
        prepare()
        let ao = offset(of: a), bo = offset(of: b)
        let sa = shape(of: a), sb = shape(of: b)
        guard let s = Shape.broadcast(sa, sb) else { preconditionFailure("shapes \(sa) and \(sb) do not broadcast in \(op)") }
        let node = append(op, a.index, b.index, shape: s, requiresGrad: requires(a) || requires(b))
        let o = nodes[Int(node)].offset
        withValues { p in
            if sa == s && sb == s {
                let n = s.count
                switch op {
                case .add: for i in 0..<n { p[o + i] = p[ao + i] + p[bo + i] }
                case .sub: for i in 0..<n { p[o + i] = p[ao + i] - p[bo + i] }
                case .mul: for i in 0..<n { p[o + i] = p[ao + i] * p[bo + i] }
                default: for i in 0..<n { p[o + i] = p[ao + i] / p[bo + i] }
                }
                return
            }
            let ar = sa.rows == 1 ? 0 : sa.cols, ac = sa.cols == 1 ? 0 : 1
            let br = sb.rows == 1 ? 0 : sb.cols, bc = sb.cols == 1 ? 0 : 1
            for r in 0..<s.rows {
                for c in 0..<s.cols {
                    let x = p[ao + r * ar + c * ac], y = p[bo + r * br + c * bc]
                    let z: Double
                    switch op {
                    case .add: z = x + y
                    case .sub: z = x - y
                    case .mul: z = x * y
                    default: z = x / y
                    }
                    p[o + r * s.cols + c] = z
                }
            }
        }
        return finish(node)
    }

    // MARK: products

    /// Matrix product with NumPy's `matmul` rules: matrix x matrix, matrix x vector (matvec),
    /// vector x matrix and vector x vector (a scalar).
    public mutating func matmul(_ a: TensorHandle, _ b: TensorHandle) -> TensorHandle {
        prepare()
        let ao = offset(of: a), bo = offset(of: b)
        let sa = shape(of: a), sb = shape(of: b)
        let m = sa.rank == 2 ? sa.rows : 1
        let k = sa.cols
        let kb = sb.rank == 2 ? sb.rows : sb.cols
        let n = sb.rank == 2 ? sb.cols : 1
        precondition(k == kb && sa.rank >= 1 && sb.rank >= 1, "matmul of \(sa) and \(sb): inner sizes differ")
        let s: Shape
        switch (sa.rank, sb.rank) {
        case (2, 2): s = .matrix(rows: m, cols: n)
        case (2, _): s = .vector(m)
        case (_, 2): s = .vector(n)
        default: s = .scalar
        }
        let node = append(.matmul, a.index, b.index, shape: s, requiresGrad: requires(a) || requires(b))
        let o = nodes[Int(node)].offset
        withValues { p in
            // Row by row, the inner loop runs along contiguous rows of `b` and the output.
            for i in 0..<m {
                let out = p + o + i * n
                for j in 0..<n { out[j] = 0 }
                for t in 0..<k {
                    let av = p[ao + i * k + t]
                    let row = p + bo + t * n
                    for j in 0..<n { out[j] += av * row[j] }
                }
            }
        }
        return finish(node)
    }

    /// The scalar `sum_i w[position_i] * value_i` over the stored entries of `x` (dense or
    /// sparse). When `w` is a watched variable it is read in place and its gradient lists only
    /// the positions of `x`: the per-event cost follows `x.count`, not the size of `w`.
    public mutating func dot(_ w: TensorHandle, _ x: FeatureVector) -> TensorHandle {
        dot(w, x, bias: nil)
    }

    /// `dot(w, x) + bias` in one node (a linear model's score), with `bias` a scalar.
    @inline(__always)
    public mutating func dot(_ w: TensorHandle, _ x: FeatureVector, plus bias: TensorHandle) -> TensorHandle {
        dot(w, x, bias: bias)
    }

    @inline(__always)
    mutating func dot(_ w: TensorHandle, _ x: FeatureVector, bias: TensorHandle?) -> TensorHandle {
        prepare()
        let wn = node(w)
        materialize(Int(w.index))
        if let last = x.indices.last { precondition(Int(last) < wn.shape.count && x.indices.allSatisfy { $0 >= 0 && Int($0) < wn.shape.count }, "feature position out of range of \(wn.shape)") }
        else { precondition(x.count <= wn.shape.count, "\(x.count) dense features do not fit \(wn.shape)") }
        precondition(!used, "record on a used tape only after reset()")
        if x.isDense && wn.op == .variable { slots[Int(wn.slot)].dense = true }
        var shift = 0.0, biasRequires = false
        if let bias {
            let bn = node(bias)
            materialize(Int(bias.index))
            precondition(bn.shape.count == 1, "the bias of dot(_:_:plus:) must be a scalar, got \(bn.shape)")
            if bn.op == .variable { slots[Int(bn.slot)].dense = true }
            shift = withReadable(bias) { $0[0] }
            biasRequires = bn.requiresGrad
        }
        let o = reserveValues(1)
        var node = Node(op: .dot, requiresGrad: wn.requiresGrad || biasRequires, a: w.index, b: bias?.index ?? -1, slot: -1,
                        shape: .scalar, offset: o, param: 0)
        // The tape's copy of `x` is written in the pass that reads it for the product.
        let (dst, to) = reserveInput(x, in: &node)
        let value = withReadable(w) { p in Self.sparseDot(p, x, copyingInto: dst, to) } + shift
        values[o] = value
        let index = push(node)
        if fault == nil && !value.isFinite { fault = .dot }
        return TensorHandle(index: index)
    }

    /// The rows of matrix `table` selected by the positions of `x`, as an `x.count x cols`
    /// matrix (all rows in order for a dense `x`). With `constant(valuesOf: x)` this builds
    /// factorization machines and embeddings; the gradient of a watched `table` is sparse.
    public mutating func gatherRows(_ table: TensorHandle, _ x: FeatureVector) -> TensorHandle {
        prepare()
        let tn = node(table)
        precondition(tn.shape.rank == 2, "gatherRows needs a matrix, got \(tn.shape)")
        precondition(x.indices.allSatisfy { $0 >= 0 && Int($0) < tn.shape.rows } && x.count <= tn.shape.rows,
                     "feature position out of range of \(tn.shape)")
        precondition(!used, "record on a used tape only after reset()")
        if x.isDense && tn.op == .variable { slots[Int(tn.slot)].dense = true }
        let cols = tn.shape.cols
        let o = reserveValues(x.count * cols)
        var record = Node(op: .gatherRows, requiresGrad: tn.requiresGrad, a: table.index, b: -1, slot: -1,
                          shape: .matrix(rows: x.count, cols: cols), offset: o, param: 0)
        storeInput(x, in: &record)
        let node = push(record)
        let to = tn.offset
        let out = values + o
        if to < 0 {
            watched[Int(tn.slot)].scalars.withUnsafeBufferPointer { tp in
                Self.copyRows(from: tp.baseAddress!, into: out, x, cols: cols)
            }
        } else {
            Self.copyRows(from: UnsafePointer(values + to), into: out, x, cols: cols)
        }
        return finish(node)
    }

    static func copyRows(from t: UnsafePointer<Double>, into out: UnsafeMutablePointer<Double>, _ x: FeatureVector, cols: Int) {
        for r in 0..<x.count {
            let row = x.isDense ? r : Int(x.indices[r])
            for c in 0..<cols { out[r * cols + c] = t[row * cols + c] }
        }
    }

    /// `sparseDot(w, x)` (the same additions in the same order) that also copies the values of
    /// `x` to `values` and, when sparse, its positions to `positions`.
    @inline(__always)
    static func sparseDot(_ w: UnsafePointer<Double>, _ x: FeatureVector, copyingInto values: UnsafeMutablePointer<Double>,
                          _ positions: UnsafeMutablePointer<Int32>?) -> Double {
        var acc = 0.0
        x.values.withUnsafeBufferPointer { xv in
            if let positions {
                x.indices.withUnsafeBufferPointer { xi in
                    for i in 0..<xv.count {
                        let v = xv[i], p = xi[i]
                        values[i] = v
                        positions[i] = p
                        acc += w[Int(p)] * v
                    }
                }
            } else {
                for i in 0..<xv.count {
                    let v = xv[i]
                    values[i] = v
                    acc += w[i] * v
                }
            }
        }
        return acc
    }

    @inline(__always)
    static func sparseDot(_ w: UnsafePointer<Double>, _ x: FeatureVector) -> Double {
        var acc = 0.0
        x.values.withUnsafeBufferPointer { xv in
            if x.isDense {
                for i in 0..<xv.count { acc += w[i] * xv[i] }
            } else {
                x.indices.withUnsafeBufferPointer { xi in
                    for i in 0..<xv.count { acc += w[Int(xi[i])] * xv[i] }
                }
            }
        }
        return acc
    }

    /// Calls `body` with the value buffer (valid until the next op claims values).
    @inline(__always)
    func withValues<R>(_ body: (UnsafeMutablePointer<Double>) -> R) -> R { body(values) }

    /// Calls `body` with a pointer to `x`'s value, in place for a watched variable.
    @inline(__always)
    func withReadable<R>(_ x: TensorHandle, _ body: (UnsafePointer<Double>) -> R) -> R {
        let node = nodes[Int(x.index)]
        if node.offset < 0 {
            return watched[Int(node.slot)].scalars.withUnsafeBufferPointer { body($0.baseAddress!) }
        }
        return body(values + node.offset)
    }

    // MARK: reductions

    /// The sum of all elements, a scalar.
    public mutating func sum(_ x: TensorHandle) -> TensorHandle { reduce(.sum, x) }
    /// The mean of all elements, a scalar.
    public mutating func mean(_ x: TensorHandle) -> TensorHandle { reduce(.mean, x) }

    mutating func reduce(_ op: Op, _ x: TensorHandle) -> TensorHandle {
        prepare()
        let xo = offset(of: x)
        let n = shape(of: x).count
        let node = append(op, x.index, -1, shape: .scalar, requiresGrad: requires(x))
        let o = nodes[Int(node)].offset
        withValues { v in
            var acc = 0.0
            for i in 0..<n { acc += v[xo + i] }
            v[o] = op == .mean ? acc / Double(n) : acc
        }
        return finish(node)
    }

    // MARK: elementwise functions

    /// `e^x`.
    public mutating func exp(_ x: TensorHandle) -> TensorHandle { unary(.exp, x) }
    /// Natural logarithm; `log(0)` makes `backward` throw `.nonFinite` (prefer `log1p`,
    /// `logSoftmax` or the losses from logits).
    public mutating func log(_ x: TensorHandle) -> TensorHandle { unary(.log, x) }
    /// `log(1 + x)`, accurate near 0.
    public mutating func log1p(_ x: TensorHandle) -> TensorHandle { unary(.log1p, x) }
    /// `1 / (1 + e^-x)`, without overflow for large `|x|`.
    public mutating func sigmoid(_ x: TensorHandle) -> TensorHandle { unary(.sigmoid, x) }
    /// Hyperbolic tangent.
    public mutating func tanh(_ x: TensorHandle) -> TensorHandle { unary(.tanh, x) }
    /// `max(x, 0)`; its derivative at 0 is taken as 0.
    public mutating func relu(_ x: TensorHandle) -> TensorHandle { unary(.relu, x) }
    /// `log(1 + e^x)`, computed as `max(x, 0) + log1p(e^-|x|)`.
    public mutating func softplus(_ x: TensorHandle) -> TensorHandle { unary(.softplus, x) }
    /// Softmax along the last axis (each row of a matrix).
    public mutating func softmax(_ x: TensorHandle) -> TensorHandle { unary(.softmax, x) }
    /// Log-softmax along the last axis, computed stably as `x - max - log(sum(e^(x - max)))`.
    public mutating func logSoftmax(_ x: TensorHandle) -> TensorHandle { unary(.logSoftmax, x) }

    mutating func unary(_ op: Op, _ x: TensorHandle) -> TensorHandle {
        prepare()
        let xo = offset(of: x)
        let s = shape(of: x)
        let node = append(op, x.index, -1, shape: s, requiresGrad: requires(x))
        let o = nodes[Int(node)].offset
        withValues { p in
            let n = s.count
            switch op {
            case .exp: for i in 0..<n { p[o + i] = Foundation.exp(p[xo + i]) }
            case .log: for i in 0..<n { p[o + i] = Foundation.log(p[xo + i]) }
            case .log1p: for i in 0..<n { p[o + i] = Foundation.log1p(p[xo + i]) }
            case .sigmoid: for i in 0..<n { p[o + i] = Kernels.sigmoid(p[xo + i]) }
            case .tanh: for i in 0..<n { p[o + i] = Foundation.tanh(p[xo + i]) }
            case .relu: for i in 0..<n { p[o + i] = max(p[xo + i], 0) }
            case .softplus: for i in 0..<n { p[o + i] = Kernels.softplus(p[xo + i]) }
            case .softmax:
                for r in 0..<s.rows { Kernels.softmax(p + xo + r * s.cols, into: p + o + r * s.cols, count: s.cols) }
            default:
                for r in 0..<s.rows { Kernels.logSoftmax(p + xo + r * s.cols, into: p + o + r * s.cols, count: s.cols) }
            }
        }
        return finish(node)
    }

    // MARK: losses (mean over elements; labels are constants)

    /// `squaredError` against a constant scalar target, without a constant node.
    public mutating func squaredError(_ prediction: TensorHandle, target: Double) -> TensorHandle {
        loss(.squaredError, prediction, label: target, param: 0)
    }

    /// `huber` against a constant scalar target.
    public mutating func huber(_ prediction: TensorHandle, target: Double, delta: Double = 1) -> TensorHandle {
        precondition(delta > 0, "Huber delta must be positive")
        return loss(.huber, prediction, label: target, param: delta)
    }

    /// `binaryLogLoss` of one logit against a constant 0/1 label, without a constant node.
    @inline(__always)
    public mutating func binaryLogLoss(logits: TensorHandle, label: Double) -> TensorHandle {
        loss(.binaryLogLoss, logits, label: label, param: 0)
    }

    /// `hinge` of one score against a constant label.
    public mutating func hinge(_ score: TensorHandle, label: Double) -> TensorHandle {
        loss(.hinge, score, label: label, param: 0)
    }

    @inline(__always)
    mutating func loss(_ op: Op, _ prediction: TensorHandle, label: Double, param: Double) -> TensorHandle {
        prepare()
        let sp = shape(of: prediction)
        precondition(sp.count == 1, "\(op) with a scalar label needs a one-element prediction, got \(sp)")
        precondition(!used, "record on a used tape only after reset()")
        let p = values[offset(of: prediction)]
        var node = Node(op: op, requiresGrad: requires(prediction), a: prediction.index, b: -1, slot: -1,
                        shape: .scalar, offset: reserveValues(1), param: param)
        let value: Double
        if op == .binaryLogLoss {
            // The value's last term, log1p(e^-|p|), waits until someone reads the value (a model
            // stepping on the gradient never does); it cannot make the value non-finite.
            let parts = Kernels.binaryLogLossParts(p, label)
            value = parts.head
            node.slope = parts.slope
            node.param = parts.e
            node.valuePending = true
        } else {
            value = Kernels.loss(op, p, label, param)
            node.slope = Kernels.lossDerivative(op, p, label, param)
        }
        values[node.offset] = value
        let index = push(node)
        if fault == nil && !value.isFinite { fault = op }
        return TensorHandle(index: index)
    }

    /// Mean of `(prediction - target)^2`.
    public mutating func squaredError(_ prediction: TensorHandle, _ target: TensorHandle) -> TensorHandle {
        loss(.squaredError, prediction, target, param: 0)
    }

    /// Mean Huber loss: `r^2 / 2` for `|r| <= delta`, `delta * (|r| - delta / 2)` beyond, `r = prediction - target`.
    public mutating func huber(_ prediction: TensorHandle, _ target: TensorHandle, delta: Double = 1) -> TensorHandle {
        precondition(delta > 0, "Huber delta must be positive")
        return loss(.huber, prediction, target, param: delta)
    }

    /// Mean binary log-loss of logits against 0/1 labels, as
    /// `max(z, 0) - z * y + log1p(e^-|z|)`: never `log(0)`, whatever the logit.
    public mutating func binaryLogLoss(logits: TensorHandle, labels: TensorHandle) -> TensorHandle {
        loss(.binaryLogLoss, logits, labels, param: 0)
    }

    /// Mean hinge loss `max(0, 1 - t * score)` with `t = +1` for labels > 0 and `-1` otherwise
    /// (so 0/1 and -1/+1 labels both work).
    public mutating func hinge(_ score: TensorHandle, labels: TensorHandle) -> TensorHandle {
        loss(.hinge, score, labels, param: 0)
    }

    /// Mean over rows of `-logSoftmax(logits)[label]`; `labels` holds one class index per row
    /// (a scalar for a vector of logits).
    public mutating func softmaxCrossEntropy(logits: TensorHandle, labels: TensorHandle) -> TensorHandle {
        prepare()
        let sl = shape(of: logits), st = shape(of: labels)
        precondition(st.count == sl.rows, "softmaxCrossEntropy needs one label per row of \(sl), got \(st)")
        let lo = offset(of: logits), to = offset(of: labels)
        let node = append(.softmaxCrossEntropy, logits.index, labels.index, shape: .scalar, requiresGrad: requires(logits))
        let o = nodes[Int(node)].offset
        withValues { p in
            var total = 0.0
            for r in 0..<sl.rows {
                let label = p[to + r]
                guard label >= 0, label < Double(sl.cols), label == label.rounded() else { total = .nan; break }
                total -= Kernels.logSoftmaxAt(p + lo + r * sl.cols, count: sl.cols, index: Int(label))
            }
            p[o] = total / Double(sl.rows)
        }
        return finish(node)
    }

    mutating func loss(_ op: Op, _ prediction: TensorHandle, _ target: TensorHandle, param: Double) -> TensorHandle {
        prepare()
        let sp = shape(of: prediction), st = shape(of: target)
        precondition(sp.count == st.count, "\(op): prediction \(sp) and target \(st) differ in size")
        let po = offset(of: prediction), to = offset(of: target)
        let node = append(op, prediction.index, target.index, shape: .scalar, requiresGrad: requires(prediction), param: param)
        let o = nodes[Int(node)].offset
        withValues { p in
            let n = sp.count
            var total = 0.0
            for i in 0..<n { total += Kernels.loss(op, p[po + i], p[to + i], param) }
            p[o] = total / Double(n)
        }
        return finish(node)
    }
}
