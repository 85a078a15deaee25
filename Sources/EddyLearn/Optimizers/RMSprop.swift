import EddyCodec

/// RMSprop as River's `optim.RMSProp`: `G = rho * G + (1 - rho) * g^2; w -= lr / sqrt(G + eps) * g`.
///
/// ```swift
/// var opt = RMSprop(learningRate: .constant(0.01), rho: 0.9)
/// ```
public struct RMSprop: Optimizer, Equatable {
    public static let kind = "rmsprop"
    public var learningRate: LearningRate
    public var rho: Double
    public var epsilon: Double
    public private(set) var iterations = 0
    /// Multiplies the learning rate while drift adaptation boosts it; 1 otherwise. Not part of
    /// the state: the pipeline that boosts keeps the boost in its own state and sets it again.
    public var learningRateScale = 1.0
    var squares = SlotState()

    public init(learningRate: LearningRate = .constant(0.1), rho: Double = 0.9, epsilon: Double = 1e-8) {
        self.learningRate = learningRate
        self.rho = rho
        self.epsilon = epsilon
    }

    public mutating func apply(to variable: inout Tensor, slot: Int, entries: GradientEntries, policy: GradientPolicy, scale: Double) {
        let lr = learningRate.at(iterations) * learningRateScale, eps = epsilon, rho = rho
        squares.ensure(slot, count: variable.count)
        squares.arrays[slot].withUnsafeMutableBufferPointer { s in
            forEachEntry(entries, &variable, policy: policy, scale: scale) { w, i, g in
                s[i] = rho * s[i] + (1 - rho) * g * g
                w[i] -= lr / (s[i] + eps).squareRoot() * g
            }
        }
    }

    public mutating func endStep() { iterations += 1 }

    public func write(to writer: inout StateWriter) {
        learningRate.write(to: &writer)
        writer.write(rho); writer.write(epsilon)
        writer.write(iterations)
        squares.write(to: &writer)
    }

    public init(from reader: inout StateReader) throws(StateError) {
        learningRate = try LearningRate(from: &reader)
        rho = try reader.readDouble(); epsilon = try reader.readDouble()
        iterations = try reader.readInt()
        squares = try SlotState(from: &reader)
    }
}
