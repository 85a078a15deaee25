import EddyCodec

/// A model's named variables with their optimizer, gradient policy and scratch tape: the
/// part every gradient model shares. One `step(from:)` applies one tape's gradients.
///
/// ```swift
/// var p = Parameters(names: ["weights", "bias"], tensors: [Tensor(zeros: .vector(20)), Tensor(0)],
///                    optimizer: SGD(learningRate: .constant(0.01)))
/// p.tape.reset()
/// let w = p.tape.watch(p.tensors[0])   // watch in slot order
/// // ... record the loss ...
/// try p.step(from: loss)
/// ```
public struct Parameters<O: Optimizer>: Sendable {
    /// Variable names, in slot order.
    public let names: [String]
    /// Variable values, in slot order.
    public internal(set) var tensors: [Tensor]
    /// The optimizer and its state.
    public var optimizer: O
    /// Penalties and clipping applied before the optimizer.
    public var policy: GradientPolicy {
        didSet { interceptPolicy = GradientPolicy(clipValue: policy.clipValue) }
    }
    /// Slots with their own rate get only the value clip, no penalty.
    var interceptPolicy: GradientPolicy
    /// Slots updated by plain SGD at their own rate instead of the optimizer (River's
    /// `intercept_lr`), evaluated at the optimizer's iteration count.
    public let ownRates: [Int: LearningRate]
    /// Events refused (hostile numbers or non-finite gradients) so far.
    public internal(set) var refused = 0
    /// The scratch tape, reset at each step.
    public var tape = GradientTape()
    /// Whether a model with a static graph may replay its step compiled from the first
    /// recording (`TapeProgram`) instead of recording every event; both learn bitwise alike.
    public var compilesStep = true {
        didSet { if !compilesStep { program = nil } }
    }
    /// The compiled step, once a recording has been compiled.
    var program: TapeProgram?

    public init(names: [String], tensors: [Tensor], optimizer: O, policy: GradientPolicy = GradientPolicy(),
                ownRates: [Int: LearningRate] = [:]) {
        precondition(names.count == tensors.count, "one name per tensor")
        self.names = names
        self.tensors = tensors
        self.optimizer = optimizer
        self.policy = policy
        self.interceptPolicy = GradientPolicy(clipValue: policy.clipValue)
        self.ownRates = ownRates
        ownRate = (0..<tensors.count).map { ownRates[$0] }
    }

    var ownRate: [LearningRate?]

    /// The variable called `name`.
    public subscript(name: String) -> Tensor? {
        names.firstIndex(of: name).map { tensors[$0] }
    }

    /// Resets the tape and watches every variable in slot order (slot `k` is handle `k`). The
    /// variables are lent to the tape (moved, not copied) until `step(from:)` takes them back,
    /// so `tensors` is empty while the loss is recorded.
    @inline(__always)
    mutating func watchAll() -> Int {
        tape.lend(&tensors)
        lent = true
        return tape.watched.count
    }

    /// Whether `watchAll()` has lent the variables to the tape.
    var lent = false

    /// The handle of slot `k` after `watchAll()`.
    @inline(__always)
    func handle(_ k: Int) -> TensorHandle { TensorHandle(index: Int32(k)) }

    /// Backpropagates `loss`, refuses non-finite gradients, clips by norm when configured and
    /// lets the optimizer update every variable.
    @inline(__always)
    public mutating func step(from loss: TensorHandle) throws(LearnError) {
        if lent {
            var failed = false
            do { try tape.backward(from: loss, keepingWatched: true) } catch { failed = true }
            tape.giveBack(&tensors)
            lent = false
            if failed { throw .nonFiniteGradient }
        } else {
            do { try tape.backward(from: loss) } catch { throw .nonFiniteGradient }
        }
        try applyGradients()
    }

    /// Refuses non-finite gradients, clips by norm when configured and lets the optimizer update
    /// every variable, from the gradients in the tape's buffers: per slot, dense in `tape.grads`
    /// (all of them from `tape.valueCount` to `tape.gradCount`) or sparse in `tape.slotIndices`
    /// and `tape.slotValues`, as a backward pass or a compiled step (`TapeProgram`) leaves them.
    @inline(__always)
    mutating func applyGradients() throws(LearnError) {
        // The tape's gradient buffers go to the optimizer in place: the dense ones in the
        // tape's arena (which the updates do not touch), the sparse ones moved out of the tape
        // (no copy, no retain) and viewed through pointers while the variables are updated.
        let gradients = UnsafePointer(tape.grads)
        var indices: [[Int]] = [], values: [[Double]] = []
        swap(&indices, &tape.slotIndices)
        swap(&values, &tape.slotValues)
        defer {
            swap(&indices, &tape.slotIndices)
            swap(&values, &tape.slotValues)
        }
        let count = tensors.count
        var scale = 1.0
        if policy.clipNorm.isFinite {
            var squares = 0.0
            for k in 0..<count {
                squares += Self.withEntries(tape.slots[k], gradients, indices, values, k) { $0.squaredNorm }
            }
            guard squares.isFinite else { throw .nonFiniteGradient }
            let norm = squares.squareRoot()
            if norm > policy.clipNorm { scale = policy.clipNorm / norm }
        } else {
            // Without a norm to clip to, only whether each slot's sum of squares is finite
            // matters. The dense slots' gradients lie side by side after the node gradients, so
            // one pass answers for all of them when their joint sum stays below half the largest
            // double: no slot's own sum, in whatever order it adds, can then overflow. Otherwise
            // (and for sparse slots) each slot is checked on its own, as the answer must not change.
            let denseFinite = GradientEntries(dense: UnsafeBufferPointer(start: gradients + tape.valueCount,
                count: tape.gradCount - tape.valueCount)).squaresSum <= Double.greatestFiniteMagnitude / 2
            for k in 0..<count where !(denseFinite && tape.slots[k].dense)
                && !Self.withEntries(tape.slots[k], gradients, indices, values, k, { $0.squaresAreFinite }) {
                throw .nonFiniteGradient
            }
        }
        Self.update(&tensors, &optimizer, tape.slots, gradients, indices, values, ownRate: ownRate,
                    policy: policy, interceptPolicy: interceptPolicy, scale: scale)
        optimizer.endStep()
    }

    /// Applies each slot's gradient to its variable (`updateSlot`). The variables are reached
    /// through one pointer (one uniqueness check for all).
    @inline(__always)
    static func update(_ tensors: inout [Tensor], _ optimizer: inout O, _ slots: UnsafeMutablePointer<GradientTape.Slot>,
                       _ gradients: UnsafePointer<Double>, _ indices: [[Int]], _ values: [[Double]], ownRate: [LearningRate?],
                       policy: GradientPolicy, interceptPolicy: GradientPolicy, scale: Double) {
        tensors.withUnsafeMutableBufferPointer { variables in
            for k in 0..<variables.count {
                withEntries(slots[k], gradients, indices, values, k, &variables[k], &optimizer) { variable, optimizer, entries in
                    updateSlot(k, &variable, &optimizer, entries, ownRate: ownRate[k], policy: policy,
                               interceptPolicy: interceptPolicy, scale: scale)
                }
            }
        }
    }

    /// Applies slot `k`'s gradient `entries` to its variable: plain SGD at the slot's own rate
    /// (`interceptPolicy`), or the optimizer (`policy`).
    @inline(__always)
    static func updateSlot(_ k: Int, _ variable: inout Tensor, _ optimizer: inout O, _ entries: GradientEntries, ownRate: LearningRate?,
                           policy: GradientPolicy, interceptPolicy: GradientPolicy, scale: Double) {
        guard let rate = ownRate else {
            optimizer.apply(to: &variable, slot: k, entries: entries, policy: policy, scale: scale)
            return
        }
        let lr = rate.at(optimizer.iterations)
        if !entries.isSparse && !interceptPolicy.penalised && scale == 1 {
            // `forEachEntry`'s plain path with the update written in (an intercept: one entry,
            // updated through the subscript rather than a closure the compiler keeps out of line).
            let g = entries.dense
            for i in 0..<min(variable.scalars.count, g.count) {
                variable.scalars[i] -= lr * interceptPolicy.valueClipped(g[i])
            }
            return
        }
        forEachEntry(entries, &variable, policy: interceptPolicy, scale: scale) { w, i, g in w[i] -= lr * g }
    }

    /// Calls `body` with the gradient of watched `slot` (number `k`), viewed in place in the
    /// buffers moved out of the tape.
    @inline(__always)
    static func withEntries<R>(_ slot: GradientTape.Slot, _ gradients: UnsafePointer<Double>, _ indices: [[Int]], _ values: [[Double]],
                               _ k: Int, _ body: (GradientEntries) -> R) -> R {
        if slot.dense {
            return body(GradientEntries(dense: UnsafeBufferPointer(start: gradients + slot.grad, count: slot.count)))
        }
        return indices[k].withUnsafeBufferPointer { i in
            values[k].withUnsafeBufferPointer { v in body(GradientEntries(indices: i, values: v)) }
        }
    }

    /// `withEntries` for a `body` that updates two values of the caller's (its variable and its
    /// optimizer): passed `inout`, not captured, so nothing is copied or checked at run time.
    @inline(__always)
    static func withEntries<A, B>(_ slot: GradientTape.Slot, _ gradients: UnsafePointer<Double>, _ indices: [[Int]], _ values: [[Double]],
                                  _ k: Int, _ a: inout A, _ b: inout B, _ body: (inout A, inout B, GradientEntries) -> Void) {
        if slot.dense {
            body(&a, &b, GradientEntries(dense: UnsafeBufferPointer(start: gradients + slot.grad, count: slot.count)))
            return
        }
        indices[k].withUnsafeBufferPointer { i in
            values[k].withUnsafeBufferPointer { v in body(&a, &b, GradientEntries(indices: i, values: v)) }
        }
    }

    func write(to writer: inout StateWriter) {
        writer.write(names.count)
        for k in 0..<names.count {
            writer.write(names[k])
            tensors[k].write(to: &writer)
            if let rate = ownRate[k] { writer.write(true); rate.write(to: &writer) } else { writer.write(false) }
        }
        policy.write(to: &writer)
        writer.write(refused)
        writer.write(blob: optimizer.stateBlob())
    }

    init(from reader: inout StateReader) throws(StateError) {
        let count = try reader.readInt()
        guard count >= 0, count < 1024 else { throw .invalid("\(count) variables") }
        var names: [String] = [], tensors: [Tensor] = [], rates: [Int: LearningRate] = [:]
        for k in 0..<count {
            names.append(try reader.readString())
            tensors.append(try Tensor(from: &reader))
            if try reader.readBool() { rates[k] = try LearningRate(from: &reader) }
        }
        let policy = try GradientPolicy(from: &reader)
        let refused = try reader.readInt()
        let optimizer = try O(stateBlob: try reader.readBlob())
        self.init(names: names, tensors: tensors, optimizer: optimizer, policy: policy, ownRates: rates)
        self.refused = refused
    }

    /// Checks that restored variables have the shapes the model expects.
    func expect(_ shapes: [Shape]) throws(StateError) {
        guard tensors.map(\.shape) == shapes else {
            throw .invalid("variables have shapes \(tensors.map(\.shape)), expected \(shapes)")
        }
    }
}
