import Foundation

/// The backward pass: one sweep over the recorded nodes in reverse, each adding its
/// input gradients (vector-Jacobian products) into the flat gradient buffer.
extension GradientTape {
    @inline(__always)
    mutating func runBackward(from loss: Int) {
        let nodes = self.nodes, slots = self.slots
        let seed = nodes[loss]
        if seed.offset < 0 { slots[Int(seed.slot)].dense = true }
        // Dense slot gradients follow the node gradients in `grads`: one buffer, zeroed at once.
        var total = valueCount, sparse = false
        for s in 0..<watched.count {
            if slots[s].dense {
                slots[s].grad = total
                total += slots[s].count
            } else {
                sparse = true
            }
        }
        reserveGrads(upTo: total)
        gradCount = total
        let g = grads
        g.update(repeating: 0, count: total)
        if sparse {
            for s in 0..<watched.count where !slots[s].dense {
                slotIndices[s].removeAll(keepingCapacity: true)
                slotValues[s].removeAll(keepingCapacity: true)
            }
        }
        if seed.offset < 0 {
            let slot = slots[Int(seed.slot)]
            (g + slot.grad).update(repeating: 1, count: slot.count)
            return
        }
        (g + seed.offset).update(repeating: 1, count: seed.shape.count)
        let v = UnsafePointer(values), inputs = UnsafePointer(self.inputs), positions = UnsafePointer(self.positions)
        // Nodes are read through a pointer, field by field: copying each 56-byte node out
        // first costs more than the few fields most of them need.
        var i = loss
        let last = lentVariables
        while i >= last {
            let node = UnsafePointer(nodes + i)
            i -= 1
            guard node.pointee.requiresGrad else { continue }
            let o = node.pointee.offset
            switch node.pointee.op {
            case .variable:
                guard o >= 0 else { continue }
                let sg = g + slots[Int(node.pointee.slot)].grad
                for k in 0..<node.pointee.shape.count { sg[k] += g[o + k] }
            case .constant, .stopGradient:
                continue
            case .add, .sub, .mul, .div:
                Self.binaryBackward(node.pointee, nodes, v, g)
            case .matmul:
                Self.matmulBackward(node.pointee, nodes, v, g)
            case .dot:
                dotBackward(node, nodes, g[o], g, inputs, positions)
            case .gatherRows:
                gatherBackward(node.pointee, nodes, g, positions)
            case .sum, .mean, .softmaxCrossEntropy:
                Self.reductionBackward(node.pointee, nodes, v, g)
            case .exp, .log, .log1p, .sigmoid, .tanh, .relu, .softplus, .softmax, .logSoftmax:
                Self.unaryBackward(node.pointee, nodes, v, g)
            case .squaredError, .huber, .binaryLogLoss, .hinge:
                if node.pointee.b < 0 {
                    g[nodes[Int(node.pointee.a)].offset] += g[o] * node.pointee.slope
                } else {
                    Self.lossBackward(node.pointee, nodes, v, g)
                }
            }
        }
    }

    // The helpers below stay out of the sweep's loop (`@inline(never)`), so the common nodes
    // of linear models run in a loop that keeps its pointers in registers.

    @inline(never)
    private static func reductionBackward(_ node: Node, _ nodes: UnsafePointer<Node>, _ v: UnsafePointer<Double>,
                                          _ g: UnsafeMutablePointer<Double>) {
        let o = node.offset
        let a = nodes[Int(node.a)]
        if node.op != .softmaxCrossEntropy {
            let n = a.shape.count
            let d = node.op == .mean ? g[o] / Double(n) : g[o]
            for k in 0..<n { g[a.offset + k] += d }
            return
        }
        let t = nodes[Int(node.b)]
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
    }

    @inline(never)
    private static func lossBackward(_ node: Node, _ nodes: UnsafePointer<Node>, _ v: UnsafePointer<Double>,
                                     _ g: UnsafeMutablePointer<Double>) {
        let a = nodes[Int(node.a)], t = nodes[Int(node.b)]
        let n = a.shape.count
        let scale = g[node.offset] / Double(n)
        for k in 0..<n {
            g[a.offset + k] += scale * Kernels.lossDerivative(node.op, v[a.offset + k], v[t.offset + k], node.param)
        }
    }

    @inline(never)
    private static func binaryBackward(_ node: Node, _ nodes: UnsafePointer<Node>, _ v: UnsafePointer<Double>,
                                       _ g: UnsafeMutablePointer<Double>) {
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

    @inline(never)
    private static func matmulBackward(_ node: Node, _ nodes: UnsafePointer<Node>, _ v: UnsafePointer<Double>,
                                       _ g: UnsafeMutablePointer<Double>) {
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
    private mutating func dotBackward(_ node: UnsafePointer<Node>, _ nodes: UnsafePointer<Node>, _ d: Double,
                                      _ g: UnsafeMutablePointer<Double>, _ inputs: UnsafePointer<Double>,
                                      _ positions: UnsafePointer<Int32>) {
        let b = Int(node.pointee.b)
        if b >= 0 && nodes[b].requiresGrad {
            let bo = nodes[b].offset
            g[bo >= 0 ? bo : slots[Int(nodes[b].slot)].grad] += d
        }
        let w = nodes + Int(node.pointee.a)
        let n = node.pointee.inputCount
        guard w.pointee.requiresGrad && n > 0 else { return }
        let xv = inputs + node.pointee.input
        let dense = node.pointee.positions < 0
        let xi = positions + max(node.pointee.positions, 0)
        let wo = w.pointee.offset
        if wo >= 0 || slots[Int(w.pointee.slot)].dense {
            let target = g + (wo >= 0 ? wo : slots[Int(w.pointee.slot)].grad)
            if dense {
                for k in 0..<n { target[k] += d * xv[k] }
            } else {
                for k in 0..<n { target[Int(xi[k])] += d * xv[k] }
            }
            return
        }
        let s = Int(w.pointee.slot)
        slotIndices[s].appendInPlace(count: n) { for k in 0..<n { $0[k] = Int(xi[k]) } }
        slotValues[s].appendInPlace(count: n) { for k in 0..<n { $0[k] = d * xv[k] } }
    }

    @inline(never)
    private mutating func gatherBackward(_ node: Node, _ nodes: UnsafePointer<Node>, _ g: UnsafeMutablePointer<Double>,
                                         _ positions: UnsafePointer<Int32>) {
        let t = nodes[Int(node.a)]
        let count = node.inputCount
        let dense = node.positions < 0
        let xi = positions + max(node.positions, 0)
        let cols = t.shape.cols
        let o = node.offset
        if t.offset >= 0 || slots[Int(t.slot)].dense {
            let target = g + (t.offset >= 0 ? t.offset : slots[Int(t.slot)].grad)
            for r in 0..<count {
                let row = dense ? r : Int(xi[r])
                for c in 0..<cols { target[row * cols + c] += g[o + r * cols + c] }
            }
            return
        }
        let s = Int(t.slot)
        slotIndices[s].appendInPlace(count: count * cols) { indices in
            for r in 0..<count {
                let row = dense ? r : Int(xi[r])
                for c in 0..<cols { indices[r * cols + c] = row * cols + c }
            }
        }
        slotValues[s].appendInPlace(count: count * cols) { values in
            for k in 0..<count * cols { values[k] = g[o + k] }
        }
    }

    @inline(never)
    private static func unaryBackward(_ node: Node, _ nodes: UnsafePointer<Node>, _ v: UnsafePointer<Double>,
                                      _ g: UnsafeMutablePointer<Double>) {
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
