import Foundation

/// The backward pass: one sweep over the recorded nodes in reverse, each adding its
/// input gradients (vector-Jacobian products) into the flat gradient buffer.
extension GradientTape {
    mutating func runBackward(from loss: Int) {
        if grads.count < valueCount { grads.append(contentsOf: repeatElement(0, count: valueCount - grads.count)) }
        grads.withUnsafeMutableBufferPointer { g in
            for k in 0..<valueCount { g[k] = 0 }
        }
        for s in 0..<watched.count {
            if slotDense[s] {
                let n = watched[s].count
                if slotGrad[s].count != n {
                    slotGrad[s] = [Double](repeating: 0, count: n)
                } else {
                    slotGrad[s].withUnsafeMutableBufferPointer { g in g.update(repeating: 0) }
                }
            } else {
                slotIndices[s].removeAll(keepingCapacity: true)
                slotValues[s].removeAll(keepingCapacity: true)
            }
        }
        let seed = nodes[loss]
        if seed.offset < 0 {
            let s = Int(seed.slot)
            slotDense[s] = true
            slotGrad[s] = [Double](repeating: 1, count: seed.shape.count)
            return
        }
        for k in 0..<seed.shape.count { grads[seed.offset + k] = 1 }

        // Move the arenas out (no copy, no retain) so the helpers may touch the slot buffers of `self`.
        var vals: [Double] = [], gradients: [Double] = []
        swap(&vals, &values)
        swap(&gradients, &grads)
        defer {
            swap(&vals, &values)
            swap(&gradients, &grads)
        }
        vals.withUnsafeBufferPointer { vbuf in
            gradients.withUnsafeMutableBufferPointer { gbuf in
                let v = vbuf.baseAddress!, g = gbuf.baseAddress!
                var i = loss
                while i >= 0 {
                    let node = nodes[i]
                    i -= 1
                    guard node.requiresGrad else { continue }
                    let o = node.offset
                    switch node.op {
                    case .variable:
                        guard o >= 0 else { continue }
                        let s = Int(node.slot)
                        slotGrad[s].withUnsafeMutableBufferPointer { sg in
                            for k in 0..<sg.count { sg[k] += g[o + k] }
                        }
                    case .constant, .stopGradient:
                        continue
                    case .add, .sub, .mul, .div:
                        binaryBackward(node, v, g)
                    case .matmul:
                        matmulBackward(node, v, g)
                    case .dot:
                        dotBackward(node, g[o], g)
                    case .gatherRows:
                        gatherBackward(node, g)
                    case .sum, .mean:
                        let a = nodes[Int(node.a)]
                        let n = a.shape.count
                        let d = node.op == .mean ? g[o] / Double(n) : g[o]
                        for k in 0..<n { g[a.offset + k] += d }
                    case .exp, .log, .log1p, .sigmoid, .tanh, .relu, .softplus, .softmax, .logSoftmax:
                        unaryBackward(node, v, g)
                    case .softmaxCrossEntropy:
                        let a = nodes[Int(node.a)], t = nodes[Int(node.b)]
                        let rows = a.shape.rows, cols = a.shape.cols
                        let scale = g[o] / Double(rows)
                        for r in 0..<rows {
                            let label = Int(v[t.offset + r])
                            let x = v + a.offset + r * cols
                            var top = -Double.infinity
                            for c in 0..<cols { top = max(top, x[c]) }
                            var total = 0.0
                            for c in 0..<cols { total += Foundation.exp(x[c] - top) }
                            for c in 0..<cols {
                                let p = Foundation.exp(x[c] - top) / total
                                g[a.offset + r * cols + c] += scale * (p - (c == label ? 1 : 0))
                            }
                        }
                    case .squaredError, .huber, .binaryLogLoss, .hinge:
                        let a = nodes[Int(node.a)]
                        if node.b < 0 {
                            g[a.offset] += g[o] * Kernels.lossDerivative(node.op, v[a.offset], node.label, node.param)
                            continue
                        }
                        let t = nodes[Int(node.b)]
                        let n = a.shape.count
                        let scale = g[o] / Double(n)
                        for k in 0..<n {
                            g[a.offset + k] += scale * Kernels.lossDerivative(node.op, v[a.offset + k], v[t.offset + k], node.param)
                        }
                    }
                }
            }
        }
    }

    private func binaryBackward(_ node: Node, _ v: UnsafePointer<Double>, _ g: UnsafeMutablePointer<Double>) {
        let a = nodes[Int(node.a)], b = nodes[Int(node.b)]
        let s = node.shape, sa = a.shape, sb = b.shape
        let ga = a.requiresGrad, gb = b.requiresGrad
        let ar = sa.rows == 1 ? 0 : sa.cols, ac = sa.cols == 1 ? 0 : 1
        let br = sb.rows == 1 ? 0 : sb.cols, bc = sb.cols == 1 ? 0 : 1
        for r in 0..<s.rows {
            for c in 0..<s.cols {
                let d = g[node.offset + r * s.cols + c]
                let ia = a.offset + r * ar + c * ac, ib = b.offset + r * br + c * bc
                switch node.op {
                case .add:
                    if ga { g[ia] += d }
                    if gb { g[ib] += d }
                case .sub:
                    if ga { g[ia] += d }
                    if gb { g[ib] -= d }
                case .mul:
                    if ga { g[ia] += d * v[ib] }
                    if gb { g[ib] += d * v[ia] }
                default:
                    let y = v[ib]
                    if ga { g[ia] += d / y }
                    if gb { g[ib] -= d * v[ia] / (y * y) }
                }
            }
        }
    }

    private func matmulBackward(_ node: Node, _ v: UnsafePointer<Double>, _ g: UnsafeMutablePointer<Double>) {
        let a = nodes[Int(node.a)], b = nodes[Int(node.b)]
        let m = a.shape.rank == 2 ? a.shape.rows : 1
        let k = a.shape.cols
        let n = b.shape.rank == 2 ? b.shape.cols : 1
        let o = node.offset
        if a.requiresGrad {
            for i in 0..<m {
                for t in 0..<k {
                    var acc = 0.0
                    for j in 0..<n { acc += g[o + i * n + j] * v[b.offset + t * n + j] }
                    g[a.offset + i * k + t] += acc
                }
            }
        }
        if b.requiresGrad {
            for i in 0..<m {
                let upstream = g + o + i * n
                for t in 0..<k {
                    let av = v[a.offset + i * k + t]
                    let row = g + b.offset + t * n
                    for j in 0..<n { row[j] += av * upstream[j] }
                }
            }
        }
    }

    @inline(__always)
    private mutating func dotBackward(_ node: Node, _ d: Double, _ g: UnsafeMutablePointer<Double>) {
        if node.b >= 0 {
            let bias = nodes[Int(node.b)]
            if bias.requiresGrad {
                if bias.offset >= 0 { g[bias.offset] += d } else { slotGrad[Int(bias.slot)][0] += d }
            }
        }
        let w = nodes[Int(node.a)]
        guard w.requiresGrad else { return }
        // The feature vector is read where it lies in `features` (a copy would retain its arrays).
        let f = Int(node.slot)
        let dense = features[f].isDense
        features[f].values.withUnsafeBufferPointer { xv in
            features[f].indices.withUnsafeBufferPointer { xi in
                let n = xv.count
                if w.offset >= 0 {
                    if dense {
                        for k in 0..<n { g[w.offset + k] += d * xv[k] }
                    } else {
                        for k in 0..<n { g[w.offset + Int(xi[k])] += d * xv[k] }
                    }
                    return
                }
                let s = Int(w.slot)
                if slotDense[s] {
                    slotGrad[s].withUnsafeMutableBufferPointer { sg in
                        if dense {
                            for k in 0..<n { sg[k] += d * xv[k] }
                        } else {
                            for k in 0..<n { sg[Int(xi[k])] += d * xv[k] }
                        }
                    }
                } else {
                    slotIndices[s].append(contentsOf: xi.lazy.map { Int($0) })
                    slotValues[s].append(contentsOf: xv.lazy.map { d * $0 })
                }
            }
        }
    }

    private mutating func gatherBackward(_ node: Node, _ g: UnsafeMutablePointer<Double>) {
        let t = nodes[Int(node.a)]
        let x = features[Int(node.slot)]
        let cols = t.shape.cols
        let o = node.offset
        if t.offset >= 0 || slotDense[Int(t.slot)] {
            func scatter(_ target: UnsafeMutablePointer<Double>) {
                for r in 0..<x.count {
                    let row = x.isDense ? r : Int(x.indices[r])
                    for c in 0..<cols { target[row * cols + c] += g[o + r * cols + c] }
                }
            }
            if t.offset >= 0 {
                scatter(g + t.offset)
            } else {
                slotGrad[Int(t.slot)].withUnsafeMutableBufferPointer { scatter($0.baseAddress!) }
            }
            return
        }
        let s = Int(t.slot)
        for r in 0..<x.count {
            let row = x.isDense ? r : Int(x.indices[r])
            for c in 0..<cols {
                slotIndices[s].append(row * cols + c)
                slotValues[s].append(g[o + r * cols + c])
            }
        }
    }

    private func unaryBackward(_ node: Node, _ v: UnsafePointer<Double>, _ g: UnsafeMutablePointer<Double>) {
        let a = nodes[Int(node.a)]
        let n = node.shape.count
        let o = node.offset, ao = a.offset
        switch node.op {
        case .exp: for k in 0..<n { g[ao + k] += g[o + k] * v[o + k] }
        case .log: for k in 0..<n { g[ao + k] += g[o + k] / v[ao + k] }
        case .log1p: for k in 0..<n { g[ao + k] += g[o + k] / (1 + v[ao + k]) }
        case .sigmoid: for k in 0..<n { g[ao + k] += g[o + k] * v[o + k] * (1 - v[o + k]) }
        case .tanh: for k in 0..<n { g[ao + k] += g[o + k] * (1 - v[o + k] * v[o + k]) }
        case .relu: for k in 0..<n where v[ao + k] > 0 { g[ao + k] += g[o + k] }
        case .softplus: for k in 0..<n { g[ao + k] += g[o + k] * Kernels.sigmoid(v[ao + k]) }
        case .softmax:
            let cols = node.shape.cols
            for r in 0..<node.shape.rows {
                var inner = 0.0
                for c in 0..<cols { inner += g[o + r * cols + c] * v[o + r * cols + c] }
                for c in 0..<cols { g[ao + r * cols + c] += v[o + r * cols + c] * (g[o + r * cols + c] - inner) }
            }
        default:
            let cols = node.shape.cols
            for r in 0..<node.shape.rows {
                var total = 0.0
                for c in 0..<cols { total += g[o + r * cols + c] }
                for c in 0..<cols { g[ao + r * cols + c] += g[o + r * cols + c] - Foundation.exp(v[o + r * cols + c]) * total }
            }
        }
    }
}
