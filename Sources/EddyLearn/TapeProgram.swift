import EddyFeatures

/// A model's step compiled from one recording and replayed for the events after it, as
/// `tf.function` traces a step once and then runs the traced graph: a model whose graph is the
/// same for every event (`GradientLearner.hasStaticGraph`) records its first event on the tape
/// as usual, and when every op of that graph has a compiled form, the next events skip
/// recording nodes, copying the inputs and sweeping the nodes. The replay runs the kernels the
/// recording and the backward pass run, in the same order, and leaves the same gradients in the
/// tape's buffers for `Parameters.applyGradients()`, so a replayed step is bitwise the recorded
/// one (`TapeProgramTests`). With no norm to clip to, the step goes further,
/// as XLA fuses a traced step: the weights' gradient, the features times the loss's slope, is
/// never written out; the optimizer makes each entry where it uses it.
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
        if !policy.clipNorm.isFinite && ownRate[w] == nil {
            try fusedUpdate(program, x, d)
        } else {
            try writeOutAndApply(program, x, d)
        }
    }

    /// The gradients written out where the backward pass leaves them (`d * x` for the weights,
    /// `d` for the bias), then `applyGradients`.
    private mutating func writeOutAndApply(_ program: TapeProgram, _ x: FeatureVector, _ d: Double) throws(LearnError) {
        let w = program.weights, b = program.bias
        tape.prepare()
        tape.reserveSlotBuffers(tensors.count)
        let slots = tape.slots
        // The sweep's layout: the dense slots' gradients side by side, in slot order (the bias
        // is dense, the weights are when x is).
        let dense = x.isDense, width = program.width
        let biasFirst = b >= 0 && b < w
        slots[w] = GradientTape.Slot(node: Int32(truncatingIfNeeded: w), dense: dense, grad: dense && biasFirst ? 1 : 0, count: width)
        var total = dense ? width : 0
        if b >= 0 {
            slots[b] = GradientTape.Slot(node: Int32(truncatingIfNeeded: b), dense: true, grad: dense && !biasFirst ? width : 0, count: 1)
            total += 1
        }
        tape.reserveGrads(upTo: total)
        tape.valueCount = 0
        tape.gradCount = total
        let g = tape.grads
        if b >= 0 { g[slots[b].grad] = 0.0 + d }
        x.values.withUnsafeBufferPointer { xv in
            if dense {
                let target = g + slots[w].grad
                for k in 0..<xv.count { target[k] = 0.0 + d * xv[k] }
                (target + xv.count).update(repeating: 0, count: width - xv.count)
            } else {
                // What the sweep appends, an entry per position: in place, element by element.
                x.indices.withUnsafeBufferPointer { xi in
                    Self.refill(&tape.slotIndices[w], count: xi.count) { Int(xi[$0]) }
                }
                Self.refill(&tape.slotValues[w], count: xv.count) { d * xv[$0] }
            }
        }
        try applyGradients()
    }

    /// The update `applyGradients` would make from the gradients the replay leaves (`d * x` for
    /// the weights, `d` for the bias) when no norm is clipped to and the weights have no rate of
    /// their own, without writing those gradients out: the optimizer makes each entry where it
    /// uses it (`Optimizer.apply(to:slot:slope:times:policy:)`). The finiteness check comes
    /// first and decides as `applyGradients` would: dense slots together when their joint sum
    /// of squares stays below half the largest double, each slot on its own otherwise (through
    /// the written-out gradients) and for a sparse slot (in `squaresSum`'s order).
    @inline(__always)
    private mutating func fusedUpdate(_ program: TapeProgram, _ x: FeatureVector, _ d: Double) throws(LearnError) {
        let w = program.weights, b = program.bias
        let gb = 0.0 + d
        // The weights' sum of squares, which also tells whether the value clip can bind.
        let squares: Double
        if x.isDense {
            // In any order: only whether the sum stays below half the largest double matters.
            // The square of 0 + d * x is that of d * x.
            var pairs = SIMD2<Double>(b >= 0 ? gb * gb : 0, 0)
            squares = x.values.withUnsafeBufferPointer { xv in
                let n = xv.count
                var k = 0
                let from = UnsafeRawPointer(xv.baseAddress)
                while k &+ 1 < n {
                    let term = SIMD2(repeating: d) * from!.loadUnaligned(fromByteOffset: k &* 8, as: SIMD2<Double>.self)
                    pairs += term * term
                    k &+= 2
                }
                if k < n {
                    let term = d * xv[k]
                    pairs[1] += term * term
                }
                return pairs[0] + pairs[1]
            }
            guard squares <= Double.greatestFiniteMagnitude / 2 else { return try writeOutAndApply(program, x, d) }
        } else {
            // The bias alone among the dense slots: its one square is finite or it is refused.
            squares = x.values.withUnsafeBufferPointer { xv in
                GradientEntries.squaresSum(count: xv.count) { d * xv[$0] }
            }
            guard squares.isFinite && (b < 0 || (gb * gb).isFinite) else { throw .nonFiniteGradient }
        }
        // When no entry can reach the value clip, the clip is the identity on every entry: the
        // optimizer is told there is none, and can leave it out of its loop.
        let weightsPolicy = policy.clipCannotBind(squares: squares) ? policy.withoutValueClip : policy
        tensors.withUnsafeMutableBufferPointer { variables in
            optimizer.apply(to: &variables[w], slot: w, slope: d, times: x, policy: weightsPolicy)
            guard b >= 0 else { return }
            if let rate = ownRate[b], !interceptPolicy.penalised {
                // `updateSlot`'s plain update at the slot's own rate, of the bias's one entry.
                variables[b].scalars[0] -= rate.at(optimizer.iterations) * interceptPolicy.valueClipped(gb)
            } else {
                withUnsafePointer(to: gb) { g in
                    Self.updateSlot(b, &variables[b], &optimizer, GradientEntries(dense: UnsafeBufferPointer(start: g, count: 1)),
                                    ownRate: ownRate[b], policy: policy, interceptPolicy: interceptPolicy, scale: 1)
                }
            }
        }
        optimizer.endStep()
    }

    /// Makes `array` hold `element(k)` for each k below `count`, written in place.
    @inline(__always)
    private static func refill<T: AdditiveArithmetic>(_ array: inout [T], count: Int, with element: (Int) -> T) {
        array.removeAll(keepingCapacity: true)
        array.appendInPlace(count: count) { for k in 0..<count { $0[k] = element(k) } }
    }
}
