import EddyCodec
import EddyFeatures

/// A stateful update rule. A model calls `apply(to:slot:entries:policy:scale:)` (or
/// `apply(to:slot:gradient:policy:scale:)`) once per variable (its `slot`) and then `endStep()`;
/// sparse gradients touch only their entries, so the cost per step follows the active
/// features, not the size of the variable.
///
/// ```swift
/// var opt = Adam(learningRate: .constant(0.01))
/// opt.apply(to: &weights, slot: 0, gradient: tape.gradient(for: w), policy: GradientPolicy(), scale: 1)
/// opt.endStep()
/// ```
public protocol Optimizer: Sendable {
    /// The kind written into state blobs.
    static var kind: String { get }
    /// Steps taken so far (River's `n_iterations`).
    var iterations: Int { get }
    /// A multiplier of the learning rate (1 unless drift adaptation boosts it); not saved.
    var learningRateScale: Double { get set }
    /// Updates `variable` with the gradient `entries` (each multiplied by `scale`, then adjusted
    /// by `policy`).
    mutating func apply(to variable: inout Tensor, slot: Int, entries: GradientEntries, policy: GradientPolicy, scale: Double)
    /// Updates `variable` with the gradient `slope * x`, as `apply(to:slot:entries:policy:scale:)`
    /// would with its entries written out and `scale` 1: for dense `x` entry `i` is
    /// `0 + slope * x.values[i]` (`x` zero-padded to the variable's length), for sparse `x` each
    /// position gets `slope * value` (a repeated position in turn). It is a linear model's
    /// weights gradient, the event's features times the loss's slope, which a compiled step
    /// (`TapeProgram`) hands over unwritten so that an optimizer can fuse it into its update.
    /// The caller has checked that `x`'s positions lie inside the variable (as `learnChecked` does),
    /// as it has for sparse `entries`. The default writes the entries out.
    mutating func apply(to variable: inout Tensor, slot: Int, slope: Double, times x: FeatureVector, policy: GradientPolicy)
    /// Ends the step: advances `iterations`.
    mutating func endStep()
    /// Appends hyperparameters and state.
    func write(to writer: inout StateWriter)
    /// Reads what `write(to:)` wrote.
    init(from reader: inout StateReader) throws(StateError)
}

extension Optimizer {
    /// Updates `variable` with `gradient` (each entry multiplied by `scale`, then adjusted by `policy`).
    public mutating func apply(to variable: inout Tensor, slot: Int, gradient: VariableGradient, policy: GradientPolicy, scale: Double) {
        gradient.withEntries { apply(to: &variable, slot: slot, entries: $0, policy: policy, scale: scale) }
    }

    public mutating func apply(to variable: inout Tensor, slot: Int, slope: Double, times x: FeatureVector, policy: GradientPolicy) {
        applyWrittenOut(to: &variable, slot: slot, slope: slope, times: x, policy: policy)
    }

    /// `apply(to:slot:slope:times:policy:)` with the entries written out into scratch buffers.
    /// Out of line: its stack buffers would cost an optimizer's fused form a stack guard.
    @inline(never)
    mutating func applyWrittenOut(to variable: inout Tensor, slot: Int, slope: Double, times x: FeatureVector, policy: GradientPolicy) {
        let n = x.count
        if x.isDense {
            precondition(n <= variable.count, "\(n) features for \(variable.count) weights")
            withUnsafeTemporaryAllocation(of: Double.self, capacity: variable.count) { g in
                for i in 0..<n { g[i] = 0.0 + slope * x.values[i] }
                for i in n..<g.count { g[i] = 0 }
                apply(to: &variable, slot: slot, entries: GradientEntries(dense: UnsafeBufferPointer(g)), policy: policy, scale: 1)
            }
            return
        }
        withUnsafeTemporaryAllocation(of: Int.self, capacity: n) { indices in
            withUnsafeTemporaryAllocation(of: Double.self, capacity: n) { values in
                for k in 0..<n {
                    indices[k] = Int(x.indices[k])
                    values[k] = slope * x.values[k]
                }
                apply(to: &variable, slot: slot, entries: GradientEntries(indices: UnsafeBufferPointer(indices), values: UnsafeBufferPointer(values)),
                      policy: policy, scale: 1)
            }
        }
    }

    /// The optimizer as a standalone blob.
    public func stateBlob() -> [UInt8] {
        var writer = StateWriter(kind: Self.kind, version: 1)
        write(to: &writer)
        return writer.finish()
    }

    /// Restores an optimizer from `stateBlob()`.
    public init(stateBlob blob: [UInt8]) throws(StateError) {
        var reader = try StateReader(blob, kind: Self.kind, supported: 1...1)
        try self.init(from: &reader)
        try reader.finish()
    }
}

/// Runs `body(position, adjustedGradient)` over the gradient `entries` with the weights of
/// `variable` at hand; shared by the optimizers' `apply`.
@inline(__always)
func forEachEntry(_ entries: GradientEntries, _ variable: inout Tensor, policy: GradientPolicy, scale: Double,
                  _ body: (UnsafeMutablePointer<Double>, Int, Double) -> Void) {
    variable.scalars.withUnsafeMutableBufferPointer { wbuf in
        let w = wbuf.baseAddress!
        // Without penalties and norm clipping (`scale == 1`, and `g * 1 == g` bit for bit) an
        // entry needs only the value clip: the common case gets a loop without per-entry branches.
        let plain = !policy.penalised && scale == 1
        let clip = policy.clipValue
        if entries.isSparse {
            let idx = entries.indices, val = entries.values
            if plain {
                for k in 0..<idx.count { body(w, idx[k], min(max(val[k], -clip), clip)) }
                return
            }
            for k in 0..<idx.count {
                let i = idx[k]
                body(w, i, policy.adjusted(val[k] * scale, weight: w[i]))
            }
        } else {
            let val = entries.dense
            if plain {
                for i in 0..<val.count { body(w, i, min(max(val[i], -clip), clip)) }
                return
            }
            for i in 0..<val.count { body(w, i, policy.adjusted(val[i] * scale, weight: w[i])) }
        }
    }
}

/// Per-variable optimizer state (one or more arrays per slot), sized on first use.
struct SlotState: Sendable, Equatable {
    var arrays: [[Double]] = []

    @inline(__always)
    mutating func ensure(_ slot: Int, count: Int) {
        while arrays.count <= slot { arrays.append([]) }
        if arrays[slot].count != count { arrays[slot] = [Double](repeating: 0, count: count) }
    }

    func write(to writer: inout StateWriter) {
        writer.write(arrays.count)
        for a in arrays { writer.write(a) }
    }

    init() {}

    init(from reader: inout StateReader) throws(StateError) {
        let count = try reader.readInt()
        guard count >= 0, count < 1 << 20 else { throw .invalid("optimizer slot count \(count)") }
        for _ in 0..<count { arrays.append(try reader.readDoubles()) }
    }
}
