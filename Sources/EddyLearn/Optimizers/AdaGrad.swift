import EddyCodec
import Foundation

/// AdaGrad as River's `optim.AdaGrad`: `G += g^2; w -= lr / sqrt(G + eps) * g`.
///
/// ```swift
/// var opt = AdaGrad(learningRate: .constant(0.1))
/// ```
public struct AdaGrad: Optimizer, Equatable {
    public static let kind = "adagrad"
    public var learningRate: LearningRate
    public var epsilon: Double
    public private(set) var iterations = 0
    /// Multiplies the learning rate while drift adaptation boosts it; 1 otherwise. Not part of
    /// the state: the pipeline that boosts keeps the boost in its own state and sets it again.
    public var learningRateScale = 1.0
    var squares = SlotState()

    public init(learningRate: LearningRate = .constant(0.1), epsilon: Double = 1e-8) {
        self.learningRate = learningRate
        self.epsilon = epsilon
    }

    public mutating func apply(to variable: inout Tensor, slot: Int, entries: GradientEntries, policy: GradientPolicy, scale: Double) {
        let lr = learningRate.at(iterations) * learningRateScale, eps = epsilon
        squares.ensure(slot, count: variable.count)
        squares.arrays[slot].withUnsafeMutableBufferPointer { s in
            forEachEntry(entries, &variable, policy: policy, scale: scale) { w, i, g in
                s[i] += g * g
                w[i] -= lr / (s[i] + eps).squareRoot() * g
            }
        }
    }

    public mutating func endStep() { iterations += 1 }

    public func write(to writer: inout StateWriter) {
        learningRate.write(to: &writer)
        writer.write(epsilon)
        writer.write(iterations)
        squares.write(to: &writer)
    }

    public init(from reader: inout StateReader) throws(StateError) {
        learningRate = try LearningRate(from: &reader)
        epsilon = try reader.readDouble()
        iterations = try reader.readInt()
        squares = try SlotState(from: &reader)
    }
}
