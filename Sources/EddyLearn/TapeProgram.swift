import EddyFeatures

/// A model's step compiled from one recording and replayed for the events after it, as
/// `tf.function` traces a step once and then runs the traced graph: a model whose graph is the
/// same for every event (`GradientLearner.hasStaticGraph`) records its first event on the tape
/// as usual, and when every op of that graph has a compiled form, the next events skip
/// recording nodes, copying the inputs and sweeping the nodes. The replay runs the kernels the
/// recording and the backward pass run, in the same order, and leaves the same gradients in the
/// tape's buffers for `Parameters.applyGradients()`, so a replayed step is bitwise the recorded
/// one (`TapeProgramTests`).
///
/// The compiled forms cover a linear model's graph so far: a loss against the event's label
/// (`binaryLogLoss`, `hinge`, `squaredError`, `huber`) of `dot(w, x, plus: b)` over the model's
/// variables, as `LogisticRegression` and `LinearRegression` record it. Other graphs are
/// recorded at every event. `Parameters.compilesStep = false` records every event regardless.
///
/// ```swift
/// // inside GradientLearner.learnChecked, after the first recording:
/// parameters.program = TapeProgram(compiling: parameters.tape, loss: loss)
/// // at the next events, instead of recording:
/// try parameters.replay(program, x, label: label)
/// ```
struct TapeProgram: Sendable {
    /// The slots of the dot's weights and of its bias (-1: none).
    let weights: Int
    let bias: Int
    /// The loss against the event's label, and its parameter (the Huber delta).
    let loss: GradientTape.Op
    let param: Double
    /// How many weights the dot reads (the bias is one value).
    let width: Int

    /// The compiled form of the graph `tape` recorded for `loss`, or nil when an op of it has
    /// none. The tape holds its variables lent (`Parameters.watchAll()`) and nothing recorded
    /// besides the graph of `loss`.
    init?(compiling tape: GradientTape, loss handle: TensorHandle) {
        let variables = tape.lentVariables, nodes = tape.nodes
        guard variables > 0, variables == tape.watched.count, tape.nodeCount == variables + 2,
              Int(handle.index) == variables + 1 else { return nil }
        let score = nodes[variables], lossNode = nodes[variables + 1]
        guard score.op == .dot, lossNode.a == Int32(variables), lossNode.b < 0,
              [.binaryLogLoss, .hinge, .squaredError, .huber].contains(lossNode.op) else { return nil }
        let weights = Int(score.a), bias = Int(score.b)
        // Every variable is the dot's weights or its bias (slot k is node k while lent).
        guard weights >= 0, weights < variables, bias < variables, bias != weights,
              variables == (bias >= 0 ? 2 : 1), bias < 0 || tape.watched[bias].count == 1 else { return nil }
        width = tape.watched[weights].count
        self.weights = weights
        self.bias = bias
        loss = lossNode.op
        param = lossNode.param
    }
}

extension Parameters {
    /// One step of `program` on `x` and `label`, as `GradientTape.dot(_:_:bias:)`,
    /// `GradientTape.loss(_:_:label:param:)`, the backward pass and `step(from:)` would take it.
    /// The variables stay in place: nothing is lent to the tape. The caller has checked the
    /// positions of `x` and the label (`LearnError.misfit`), not the feature values.
    @inline(__always)
    mutating func replay(_ program: TapeProgram, _ x: FeatureVector, label: Double) throws(LearnError) {
        let w = program.weights, b = program.bias
        // Forward: the score, then the loss. A non-finite score is the recording's fault,
        // refused; it is also where a non-finite feature value shows (its caller has not looked
        // at the values), refused with `LearnError.validate`'s error.
        let shift = b >= 0 ? tensors[b].scalars[0] : 0.0
        let score = tensors[w].scalars.withUnsafeBufferPointer { GradientTape.sparseDot($0.baseAddress!, x) } + shift
        guard score.isFinite else { throw LearnError.nonFiniteValue(in: x) ?? .nonFiniteGradient }
        let slope: Double
        if program.loss == .binaryLogLoss {
            let parts = Kernels.binaryLogLossParts(score, label)
            guard parts.head.isFinite else { throw .nonFiniteGradient }
            slope = parts.slope
        } else {
            guard Kernels.loss(program.loss, score, label, program.param).isFinite else { throw .nonFiniteGradient }
            slope = Kernels.lossDerivative(program.loss, score, label, program.param)
        }
        // Backward: the sweep adds into zeroed buffers, so each gradient is 0 + its term. The
        // loss, seeded with 1, passes 1 * slope to the score, which passes it on to the bias
        // and, times x, to the weights.
        let d = 0.0 + 1.0 * slope
        tape.prepare()
        tape.reserveSlotBuffers(tensors.count)
        let slots = tape.slots
        // The sweep's layout: the dense slots' gradients side by side, in slot order (the bias
        // is dense, the weights are when x is).
        let dense = x.isDense, width = program.width
        let biasFirst = b >= 0 && b < w
        let weightsGrad = dense && biasFirst ? 1 : 0
        slots[w] = GradientTape.Slot(node: Int32(truncatingIfNeeded: w), dense: dense, grad: weightsGrad, count: width)
        var total = dense ? width : 0
        if b >= 0 {
            slots[b] = GradientTape.Slot(node: Int32(truncatingIfNeeded: b), dense: true, grad: dense && !biasFirst ? width : 0, count: 1)
            total += 1
        }
        tape.reserveGrads(upTo: total)
        tape.valueCount = 0
        tape.gradCount = total
        let g = tape.grads
        // The dense gradients' sum of squares, taken on the way (in any order: only whether it
        // stays below half the largest double matters, as in `applyGradients`).
        var squares = SIMD2<Double>(repeating: 0)
        if b >= 0 {
            let gb = 0.0 + d
            g[slots[b].grad] = gb
            squares[0] = gb * gb
        }
        x.values.withUnsafeBufferPointer { xv in
            if dense {
                let target = g + slots[w].grad
                let n = xv.count
                var k = 0
                let from = UnsafeRawPointer(xv.baseAddress), to = UnsafeMutableRawPointer(target)
                while k &+ 1 < n {
                    let pair = from!.loadUnaligned(fromByteOffset: k &* 8, as: SIMD2<Double>.self)
                    let term = SIMD2(repeating: 0.0) + SIMD2(repeating: d) * pair
                    to.storeBytes(of: term, toByteOffset: k &* 8, as: SIMD2<Double>.self)
                    squares += term * term
                    k &+= 2
                }
                if k < n {
                    let term = 0.0 + d * xv[k]
                    target[k] = term
                    squares[1] += term * term
                }
                (target + n).update(repeating: 0, count: width - n)
            } else {
                // What the sweep appends, an entry per position: in place, element by element.
                x.indices.withUnsafeBufferPointer { xi in
                    Self.refill(&tape.slotIndices[w], count: xi.count) { Int(xi[$0]) }
                }
                Self.refill(&tape.slotValues[w], count: xv.count) { d * xv[$0] }
            }
        }
        let denseFinite = squares[0] + squares[1] <= Double.greatestFiniteMagnitude / 2
        guard denseFinite && dense && !policy.clipNorm.isFinite else {
            try applyGradients(denseFinite: denseFinite)
            return
        }
        // What `applyGradients` comes to when every slot is dense, their gradients are finite
        // and no norm is clipped to: the update alone.
        Self.update(&tensors, &optimizer, slots, UnsafePointer(g), [], [], ownRate: ownRate, policy: policy,
                    interceptPolicy: interceptPolicy, scale: 1)
        optimizer.endStep()
    }

    /// Makes `array` hold `element(k)` for each k below `count`, in place when it already has
    /// `count` elements (as it has when events keep the same number of active features).
    @inline(__always)
    private static func refill<T>(_ array: inout [T], count: Int, with element: (Int) -> T) {
        guard count > 0 else { return array.removeAll(keepingCapacity: true) }
        if array.count != count {
            array.removeAll(keepingCapacity: true)
            array.append(contentsOf: repeatElement(element(0), count: count))
        }
        array.withUnsafeMutableBufferPointer { a in
            for k in 0..<count { a[k] = element(k) }
        }
    }
}
