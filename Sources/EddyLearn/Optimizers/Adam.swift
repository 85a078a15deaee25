import EddyCodec
import Foundation

/// Adam as River's `optim.Adam` (bias corrections folded into the step size), with optional
/// decoupled weight decay: AdamW (Loshchilov & Hutter) when `weightDecay > 0`, which first
/// shrinks each updated weight by `lr * weightDecay * w`. Entries absent from a sparse
/// gradient keep their moments ("lazy" Adam).
///
/// ```swift
/// var adam = Adam(learningRate: .constant(0.001))
/// var adamw = Adam.adamW(learningRate: .constant(0.001), weightDecay: 0.01)
/// ```
public struct Adam: Optimizer, Equatable {
    public static let kind = "adam"
    public var learningRate: LearningRate
    public var beta1: Double
    public var beta2: Double
    public var epsilon: Double
    public var weightDecay: Double
    public private(set) var iterations = 0
    /// Multiplies the learning rate while drift adaptation boosts it; 1 otherwise. Not part of
    /// the state: the pipeline that boosts keeps the boost in its own state and sets it again.
    public var learningRateScale = 1.0
    var first = SlotState()
    var second = SlotState()

    public init(learningRate: LearningRate = .constant(0.1), beta1: Double = 0.9, beta2: Double = 0.999,
                epsilon: Double = 1e-8, weightDecay: Double = 0) {
        precondition((0..<1).contains(beta1) && (0..<1).contains(beta2), "betas must lie in [0, 1)")
        precondition(weightDecay >= 0, "weight decay must be non-negative")
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
    }

    /// AdamW: Adam with decoupled weight decay.
    public static func adamW(learningRate: LearningRate = .constant(0.001), beta1: Double = 0.9, beta2: Double = 0.999,
                             epsilon: Double = 1e-8, weightDecay: Double = 0.01) -> Adam {
        Adam(learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay)
    }

    public mutating func apply(to variable: inout Tensor, slot: Int, entries: GradientEntries, policy: GradientPolicy, scale: Double) {
        let base = learningRate.at(iterations) * learningRateScale
        let t = Double(iterations + 1)
        var lr = base * (1 - Foundation.pow(beta2, t)).squareRoot()
        lr /= 1 - Foundation.pow(beta1, t)
        let b1 = beta1, b2 = beta2, eps = epsilon, decay = base * weightDecay
        first.ensure(slot, count: variable.count)
        second.ensure(slot, count: variable.count)
        first.arrays[slot].withUnsafeMutableBufferPointer { m in
            second.arrays[slot].withUnsafeMutableBufferPointer { v in
                forEachEntry(entries, &variable, policy: policy, scale: scale) { w, i, g in
                    if decay != 0 { w[i] -= decay * w[i] }
                    m[i] = b1 * m[i] + (1 - b1) * g
                    v[i] = b2 * v[i] + (1 - b2) * g * g
                    w[i] -= lr * m[i] / (v[i].squareRoot() + eps)
                }
            }
        }
    }

    public mutating func endStep() { iterations += 1 }

    public func write(to writer: inout StateWriter) {
        learningRate.write(to: &writer)
        writer.write(beta1); writer.write(beta2); writer.write(epsilon); writer.write(weightDecay)
        writer.write(iterations)
        first.write(to: &writer)
        second.write(to: &writer)
    }

    public init(from reader: inout StateReader) throws(StateError) {
        learningRate = try LearningRate(from: &reader)
        beta1 = try reader.readDouble(); beta2 = try reader.readDouble()
        epsilon = try reader.readDouble(); weightDecay = try reader.readDouble()
        iterations = try reader.readInt()
        first = try SlotState(from: &reader)
        second = try SlotState(from: &reader)
        guard (0..<1).contains(beta1), (0..<1).contains(beta2), weightDecay >= 0 else { throw .invalid("Adam state out of range") }
    }
}
