import EddyCodec
import EddyFeatures

/// Stochastic gradient descent, optionally with momentum (River's `optim.SGD` when
/// `momentum` is 0, River's `optim.Momentum` otherwise: `s = momentum * s + lr * g; w -= s`).
///
/// ```swift
/// var sgd = SGD(learningRate: .inverseScaling(0.1, power: 0.5), momentum: 0.9)
/// ```
public struct SGD: Optimizer, Equatable {
    public static let kind = "sgd"
    public var learningRate: LearningRate
    public var momentum: Double
    public private(set) var iterations = 0
    /// Multiplies the learning rate while drift adaptation boosts it; 1 otherwise. Not part of
    /// the state: the pipeline that boosts keeps the boost in its own state and sets it again.
    public var learningRateScale = 1.0
    var velocity = SlotState()

    public init(learningRate: LearningRate = .constant(0.01), momentum: Double = 0) {
        precondition(momentum >= 0 && momentum < 1, "momentum must lie in [0, 1)")
        self.learningRate = learningRate
        self.momentum = momentum
    }

    @inline(__always)
    public mutating func apply(to variable: inout Tensor, slot: Int, entries: GradientEntries, policy: GradientPolicy, scale: Double) {
        let lr = learningRate.at(iterations) * learningRateScale
        guard momentum == 0 && !entries.isSparse && !policy.penalised && scale == 1 else {
            applyInGeneral(to: &variable, slot: slot, entries: entries, policy: policy, scale: scale, lr: lr)
            return
        }
        // The common case as one loop without calls or branches, which the compiler vectorises:
        // `forEachEntry`'s plain path with the update written in.
        let g = entries.dense
        variable.scalars.withUnsafeMutableBufferPointer { w in
            precondition(w.count == g.count, "gradient of \(g.count) entries for \(w.count) weights")
            for i in 0..<g.count { w[i] -= lr * policy.valueClipped(g[i]) }
        }
    }

    /// The plain update with each entry of `slope * x` made where it is used.
    public mutating func apply(to variable: inout Tensor, slot: Int, slope: Double, times x: FeatureVector, policy: GradientPolicy) {
        guard momentum == 0 && !policy.penalised else {
            applyWrittenOut(to: &variable, slot: slot, slope: slope, times: x, policy: policy)
            return
        }
        let lr = learningRate.at(iterations) * learningRateScale
        variable.scalars.withUnsafeMutableBufferPointer { w in
            x.values.withUnsafeBufferPointer { v in
                // Without a value clip, the clip is the identity (bit for bit, NaN and -0
                // included): the loops go without it.
                let clipped = policy.clipValue != .infinity
                if x.isDense {
                    precondition(v.count <= w.count, "\(v.count) features for \(w.count) weights")
                    if clipped {
                        // Clipping commutes with adding 0 (the bounds are not zero), and clipping
                        // the product lets the compiler use the vector min and max instructions.
                        for i in 0..<v.count { w[i] -= lr * (0.0 + policy.valueClipped(slope * v[i])) }
                    } else {
                        for i in 0..<v.count { w[i] -= lr * (0.0 + slope * v[i]) }
                    }
                    for i in v.count..<w.count { w[i] -= lr * policy.valueClipped(0) }
                    return
                }
                x.indices.withUnsafeBufferPointer { idx in
                    if clipped {
                        for k in 0..<idx.count { w[Int(idx[k])] -= lr * policy.valueClipped(slope * v[k]) }
                    } else {
                        for k in 0..<idx.count { w[Int(idx[k])] -= lr * (slope * v[k]) }
                    }
                }
            }
        }
    }

    /// Sparse or penalised gradients, a scale, momentum.
    @inline(never)
    private mutating func applyInGeneral(to variable: inout Tensor, slot: Int, entries: GradientEntries, policy: GradientPolicy,
                                         scale: Double, lr: Double) {
        if momentum == 0 {
            forEachEntry(entries, &variable, policy: policy, scale: scale) { w, i, g in w[i] -= lr * g }
            return
        }
        let rho = momentum
        velocity.ensure(slot, count: variable.count)
        velocity.arrays[slot].withUnsafeMutableBufferPointer { s in
            forEachEntry(entries, &variable, policy: policy, scale: scale) { w, i, g in
                s[i] = rho * s[i] + lr * g
                w[i] -= s[i]
            }
        }
    }

    public mutating func endStep() { iterations += 1 }

    public func write(to writer: inout StateWriter) {
        learningRate.write(to: &writer)
        writer.write(momentum)
        writer.write(iterations)
        velocity.write(to: &writer)
    }

    public init(from reader: inout StateReader) throws(StateError) {
        learningRate = try LearningRate(from: &reader)
        momentum = try reader.readDouble()
        iterations = try reader.readInt()
        velocity = try SlotState(from: &reader)
        guard momentum >= 0, momentum < 1, iterations >= 0 else { throw .invalid("SGD state out of range") }
    }
}
