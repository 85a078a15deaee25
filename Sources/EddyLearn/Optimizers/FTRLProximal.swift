import EddyCodec

/// FTRL-Proximal (McMahan et al., 2013) with its own L1 and L2: per weight it keeps `z` and
/// `n`; after each update the weight is `0` when `|z| <= l1`, else
/// `-(z - sign(z) * l1) / ((beta + sqrt(n)) / alpha + l2)`. Only updated entries are touched.
///
/// ```swift
/// var ftrl = FTRLProximal(alpha: 0.05, beta: 1, l1: 0.1, l2: 1)
/// ```
public struct FTRLProximal: Optimizer, Equatable {
    public static let kind = "ftrl"
    public var alpha: Double
    public var beta: Double
    public var l1: Double
    public var l2: Double
    public private(set) var iterations = 0
    /// Multiplies the learning rate while drift adaptation boosts it; 1 otherwise. Not part of
    /// the state: the pipeline that boosts keeps the boost in its own state and sets it again.
    public var learningRateScale = 1.0
    var z = SlotState()
    var n = SlotState()

    public init(alpha: Double = 0.05, beta: Double = 1, l1: Double = 0, l2: Double = 1) {
        precondition(alpha > 0 && beta >= 0 && l1 >= 0 && l2 >= 0, "FTRL parameters out of range")
        self.alpha = alpha
        self.beta = beta
        self.l1 = l1
        self.l2 = l2
    }

    public mutating func apply(to variable: inout Tensor, slot: Int, entries: GradientEntries, policy: GradientPolicy, scale: Double) {
        let alpha = alpha * learningRateScale, beta = beta, l1 = l1, l2 = l2
        z.ensure(slot, count: variable.count)
        n.ensure(slot, count: variable.count)
        z.arrays[slot].withUnsafeMutableBufferPointer { z in
            n.arrays[slot].withUnsafeMutableBufferPointer { n in
                forEachEntry(entries, &variable, policy: policy, scale: scale) { w, i, g in
                    let sigma = ((n[i] + g * g).squareRoot() - n[i].squareRoot()) / alpha
                    z[i] += g - sigma * w[i]
                    n[i] += g * g
                    if abs(z[i]) <= l1 {
                        w[i] = 0
                    } else {
                        let sign: Double = z[i] > 0 ? 1 : -1
                        w[i] = -(z[i] - sign * l1) / ((beta + n[i].squareRoot()) / alpha + l2)
                    }
                }
            }
        }
    }

    public mutating func endStep() { iterations += 1 }

    public func write(to writer: inout StateWriter) {
        writer.write(alpha); writer.write(beta); writer.write(l1); writer.write(l2)
        writer.write(iterations)
        z.write(to: &writer)
        n.write(to: &writer)
    }

    public init(from reader: inout StateReader) throws(StateError) {
        alpha = try reader.readDouble(); beta = try reader.readDouble()
        l1 = try reader.readDouble(); l2 = try reader.readDouble()
        iterations = try reader.readInt()
        z = try SlotState(from: &reader)
        n = try SlotState(from: &reader)
        guard alpha > 0, beta >= 0, l1 >= 0, l2 >= 0 else { throw .invalid("FTRL state out of range") }
    }
}
