import EddyCodec
import Foundation

/// A learning-rate schedule, evaluated at the optimizer's iteration `t` (0 for the first step).
///
/// ```swift
/// LearningRate.constant(0.01).at(10)                              // 0.01
/// LearningRate.inverseScaling(0.1, power: 0.5).at(3)              // 0.1 / sqrt(4) = 0.05 (River's InverseScaling)
/// LearningRate.step(0.1, factor: 0.5, every: 1000).at(2500)       // 0.1 * 0.5^2 = 0.025
/// ```
public enum LearningRate: Sendable, Equatable {
    /// The same rate at every step.
    case constant(Double)
    /// `rate / (t + 1)^power`.
    case inverseScaling(Double, power: Double)
    /// `rate * factor^floor(t / every)`.
    case step(Double, factor: Double, every: Int)

    /// The rate at iteration `t`.
    @inline(__always)
    public func at(_ t: Int) -> Double {
        switch self {
        case .constant(let rate): rate
        case .inverseScaling(let rate, let power): rate / Foundation.pow(Double(t + 1), power)
        case .step(let rate, let factor, let every): rate * Foundation.pow(factor, Double(t / every))
        }
    }

    func write(to writer: inout StateWriter) {
        switch self {
        case .constant(let rate):
            writer.write(UInt8(0)); writer.write(rate)
        case .inverseScaling(let rate, let power):
            writer.write(UInt8(1)); writer.write(rate); writer.write(power)
        case .step(let rate, let factor, let every):
            writer.write(UInt8(2)); writer.write(rate); writer.write(factor); writer.write(every)
        }
    }

    init(from reader: inout StateReader) throws(StateError) {
        switch try reader.readUInt8() {
        case 0: self = .constant(try reader.readDouble())
        case 1: self = .inverseScaling(try reader.readDouble(), power: try reader.readDouble())
        case 2:
            let rate = try reader.readDouble(), factor = try reader.readDouble(), every = try reader.readInt()
            guard every > 0 else { throw .invalid("step schedule with every = \(every)") }
            self = .step(rate, factor: factor, every: every)
        case let tag: throw .invalid("unknown learning-rate schedule \(tag)")
        }
    }
}
