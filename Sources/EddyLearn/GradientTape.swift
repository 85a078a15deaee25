import EddyFeatures
import Foundation

/// A tensor recorded on a `GradientTape`: the result of `watch`, `constant` or an op.
public struct TensorHandle: Hashable, Sendable {
    let index: Int32
}

/// Reverse-mode automatic differentiation recorded at run time, shaped like TensorFlow's
/// `tf.GradientTape`: watch the variables, run the forward computation through the tape's
/// ops, then ask for the gradient of the loss.
///
/// A default tape answers once; `GradientTape(persistent: true)` answers as often as asked.
/// `reset()` empties the tape for the next event while keeping every buffer (flat buffers in a
/// `TapeArena`, shared between copies of a tape until one of them records: copy-on-write), so
/// a model that records one step per event allocates nothing once warmed up.
///
/// ```swift
/// var tape = GradientTape()
/// let w = tape.watch(weights)                       // Tensor, e.g. 20 values
/// let b = tape.watch(bias)                          // scalar Tensor
/// let logit = tape.add(tape.dot(w, x), b)           // x: FeatureVector
/// let loss = tape.binaryLogLoss(logits: logit, labels: tape.constant(1))
/// let grads = try tape.gradient(of: loss, wrt: [w, b])  // [Tensor]
/// tape.reset()                                      // ready for the next event
/// ```
public struct GradientTape: Sendable {
    enum Op: UInt8 {
        case variable, constant, stopGradient
        case add, sub, mul, div, matmul, dot, gatherRows
        case sum, mean, exp, log, log1p, sigmoid, tanh, relu, softplus, softmax, logSoftmax
        case squaredError, huber, binaryLogLoss, softmaxCrossEntropy, hinge
    }

    /// A recorded op: 56 bytes, so the backward sweep reads it in a few loads. Sizes and
    /// offsets are stored as `Int32` and read as `Int`, unchecked: `reserveValues` and
    /// `storeInput` refuse a tape past 2^31 values, and `watch`, `lend` and `constant` refuse
    /// a tensor with 2^31 rows or columns (every op's shape comes from those).
    struct Node {
        var op: Op
        var requiresGrad: Bool
        /// The stored value still lacks `log1p(param)`: a binary log-loss against a constant
        /// label keeps e^-|p| in `param` and adds that last term when the value is first read.
        var valuePending = false
        private var rank: UInt8
        var a: Int32
        var b: Int32
        /// The watched-variable slot of a `.variable`.
        var slot: Int32
        private var rows: Int32, cols: Int32
        /// Offset of the value in `values`; -1 for a variable read in place.
        @NarrowInt var offset: Int
        /// `.dot`/`.gatherRows`: where the tape's copy of the feature values starts in `inputs`,
        /// how many there are, and where their positions start in `positions` (-1: dense).
        @NarrowInt var input: Int = 0
        @NarrowInt var inputCount: Int = 0
        @NarrowInt var positions: Int = -1
        /// A loss's parameter (the Huber delta), or the deferred term's argument (`valuePending`).
        var param: Double
        /// The loss node's derivative with respect to its prediction against a constant label,
        /// found while its value was (the two share their work).
        var slope: Double = 0

        init(op: Op, requiresGrad: Bool, a: Int32, b: Int32, slot: Int32, shape: Shape, offset: Int, param: Double,
             slope: Double = 0) {
            self.op = op
            self.requiresGrad = requiresGrad
            rank = UInt8(truncatingIfNeeded: shape.rank)
            self.a = a
            self.b = b
            self.slot = slot
            rows = Int32(truncatingIfNeeded: shape.rows)
            cols = Int32(truncatingIfNeeded: shape.cols)
            self.offset = offset
            self.param = param
            self.slope = slope
        }

        var shape: Shape { Shape(rank: Int(rank), rows: Int(rows), cols: Int(cols)) }

        static let empty = Node(op: .constant, requiresGrad: false, a: -1, b: -1, slot: -1, shape: .scalar, offset: -1, param: 0)
    }

    /// A watched variable of the current recording.
    struct Slot {
        /// Its `.variable` node.
        var node: Int32
        /// Whether its gradient is dense (in `grads` from offset `grad`) or sparse (in
        /// `slotIndices`/`slotValues`).
        var dense: Bool
        var grad: Int
        /// Its number of elements.
        var count: Int

        static let empty = Slot(node: -1, dense: false, grad: 0, count: 0)
    }

    /// Whether the tape may be asked for gradients more than once.
    public let persistent: Bool

    // The arena's buffers only grow; the counts say how much of them this step uses, so
    // `reset()` is a few stores and recording reuses the same memory event after event.
    var arena: TapeArena
    /// The arena's buffers, read from here (a struct field, not a class access).
    var buffers: TapeBuffers
    var nodeCount = 0
    var valueCount = 0
    /// How much of `grads` the last backward pass wrote: node gradients at the nodes' value
    /// offsets, then the dense gradients of watched slots.
    var gradCount = 0
    /// The tape's own copies of the feature vectors given to `dot` and `gatherRows`: values,
    /// and positions of sparse ones (copying 20 values costs less than keeping the arrays alive).
    var inputCount = 0
    var positionCount = 0
    var watched: [Tensor] = []
    var fault: Op? = nil
    var used = false
    /// Nodes `0..<lentVariables` are the variables `lend(_:)` recorded, none of them copied into
    /// `values` since (they then pass no gradient on): the backward sweep stops above them.
    var lentVariables = 0

    // Per watched slot, the sparse gradient buffers, kept between resets.
    var slotIndices: [[Int]] = []
    var slotValues: [[Double]] = []

    var nodes: UnsafeMutablePointer<Node> { buffers.nodes }
    var values: UnsafeMutablePointer<Double> { buffers.values }
    var grads: UnsafeMutablePointer<Double> { buffers.grads }
    var inputs: UnsafeMutablePointer<Double> { buffers.inputs }
    var positions: UnsafeMutablePointer<Int32> { buffers.positions }
    var slots: UnsafeMutablePointer<Slot> { buffers.slots }

    /// An empty tape. A persistent one may be asked for gradients more than once.
    public init(persistent: Bool = false) {
        self.persistent = persistent
        arena = TapeArena()
        buffers = arena.buffers
    }

    /// Makes the arena this tape's own before anything is written to it (copy-on-write): every
    /// recording op and the backward pass call it once, first.
    @inline(__always)
    mutating func prepare() {
        if !isKnownUniquelyReferenced(&arena) {
            arena = arena.copy()
            buffers = arena.buffers
        }
    }

    // Growing the buffers: the tape's copy of the pointers first, then the arena's record.
    @inline(__always) mutating func reserveNodes(upTo n: Int) { if buffers.reserveNodes(upTo: n) { arena.buffers = buffers } }
    @inline(__always) mutating func reserveGrads(upTo n: Int) { if buffers.reserveGrads(upTo: n) { arena.buffers = buffers } }
    @inline(__always) mutating func reserveInputs(upTo n: Int) { if buffers.reserveInputs(upTo: n) { arena.buffers = buffers } }
    @inline(__always) mutating func reservePositions(upTo n: Int) { if buffers.reservePositions(upTo: n) { arena.buffers = buffers } }
    @inline(__always) mutating func reserveSlots(upTo n: Int) { if buffers.reserveSlots(upTo: n) { arena.buffers = buffers } }

    /// Forgets everything recorded, keeping the buffers for the next step.
    @inline(__always)
    public mutating func reset() {
        nodeCount = 0
        valueCount = 0
        gradCount = 0
        if !watched.isEmpty { watched.removeAll(keepingCapacity: true) }
        inputCount = 0
        positionCount = 0
        fault = nil
        used = false
        lentVariables = 0
    }

    // MARK: leaves

    /// Records a variable whose gradient is wanted. Its storage is read in place (not copied)
    /// by sparse ops, so watching a 2^18-wide hashed weight vector costs nothing per event.
    public mutating func watch(_ variable: Tensor) -> TensorHandle {
        precondition(!used, "record on a used tape only after reset()")
        Self.checkDimensions(variable.shape)
        prepare()
        let slot = watched.count
        watched.append(variable)
        return watchSlot(slot, shape: variable.shape)
    }

    /// Resets the tape and takes `variables` in (moved, not copied: no reference is retained)
    /// as watched slots `0..<count`, handles `0..<count`. `giveBack(_:)` returns them after the
    /// backward pass; until then `variables` is empty.
    @inline(__always)
    mutating func lend(_ variables: inout [Tensor]) {
        reset()
        prepare()
        swap(&watched, &variables)
        let count = watched.count
        reserveSlotBuffers(count)
        reserveNodes(upTo: count)
        let nodes = self.nodes, slots = self.slots
        watched.withUnsafeBufferPointer { w in
            for slot in 0..<count {
                let shape = w[slot].shape
                Self.checkDimensions(shape)
                slots[slot] = Slot(node: Int32(truncatingIfNeeded: slot), dense: false, grad: 0, count: shape.count)
                nodes[slot] = Node(op: .variable, requiresGrad: true, a: -1, b: -1, slot: Int32(truncatingIfNeeded: slot),
                                   shape: shape, offset: -1, param: 0)
            }
        }
        nodeCount = count
        lentVariables = count
    }

    /// Room for `count` watched slots: their descriptions and sparse gradient buffers.
    @inline(__always)
    mutating func reserveSlotBuffers(_ count: Int) {
        guard slotIndices.count < count else { return }
        reserveSlots(upTo: count)
        slotIndices.append(contentsOf: repeatElement([], count: count - slotIndices.count))
        slotValues.append(contentsOf: repeatElement([], count: count - slotValues.count))
    }

    /// Returns the variables taken by `lend(_:)`.
    mutating func giveBack(_ variables: inout [Tensor]) {
        precondition(variables.isEmpty, "giveBack(_:) without lend(_:)")
        swap(&watched, &variables)
    }

    /// Stops the program for a tensor whose rows or columns do not fit a `Node`'s `Int32`s.
    @inline(__always)
    static func checkDimensions(_ shape: Shape) {
        precondition(shape.rows <= Int(Int32.max) && shape.cols <= Int(Int32.max), "tensor of shape \(shape) has 2^31 rows or columns or more")
    }

    /// Records the `.variable` node of watched slot `slot`.
    @inline(__always)
    mutating func watchSlot(_ slot: Int, shape: Shape) -> TensorHandle {
        if slotIndices.count == slot {
            reserveSlots(upTo: slot + 1)
            slotIndices.append([])
            slotValues.append([])
        }
        slots[slot] = Slot(node: Int32(nodeCount), dense: false, grad: 0, count: shape.count)
        return TensorHandle(index: push(Node(op: .variable, requiresGrad: true, a: -1, b: -1, slot: Int32(slot),
                                             shape: shape, offset: -1, param: 0)))
    }

    /// Records a tensor that is not differentiated (inputs, labels).
    public mutating func constant(_ value: Tensor) -> TensorHandle {
        Self.checkDimensions(value.shape)
        prepare()
        let node = append(.constant, -1, -1, shape: value.shape, requiresGrad: false)
        let offset = nodes[Int(node)].offset
        value.scalars.withUnsafeBufferPointer { src in
            for i in 0..<src.count { values[offset + i] = src[i] }
        }
        return finish(node)
    }

    /// Records a scalar constant.
    public mutating func constant(_ value: Double) -> TensorHandle {
        prepare()
        let node = append(.constant, -1, -1, shape: .scalar, requiresGrad: false)
        values[valueCount - 1] = value
        return finish(node)
    }

    /// Records the stored values of a feature vector as a constant vector (no allocation).
    public mutating func constant(valuesOf x: FeatureVector) -> TensorHandle {
        prepare()
        let node = append(.constant, -1, -1, shape: .vector(x.count), requiresGrad: false)
        let offset = nodes[Int(node)].offset
        x.values.withUnsafeBufferPointer { src in
            for i in 0..<src.count { values[offset + i] = src[i] }
        }
        return finish(node)
    }

    /// The same value, cut off from differentiation.
    public mutating func stopGradient(_ x: TensorHandle) -> TensorHandle {
        prepare()
        let xo = offset(of: x)
        let shape = nodes[Int(x.index)].shape
        let node = append(.stopGradient, x.index, -1, shape: shape, requiresGrad: false)
        let o = nodes[Int(node)].offset
        let v = values
        for i in 0..<shape.count { v[o + i] = v[xo + i] }
        return finish(node)
    }

    // MARK: reading back

    /// The recorded node of `x`, which must come from this tape since its last `reset()`.
    @inline(__always)
    func node(_ x: TensorHandle) -> Node {
        precondition(Int(x.index) < nodeCount, "tensor handle not recorded on this tape since its last reset()")
        return nodes[Int(x.index)]
    }

    /// The shape of a recorded tensor.
    public func shape(of x: TensorHandle) -> Shape { node(x).shape }

    /// The forward value of a recorded tensor (allocates).
    public func value(of x: TensorHandle) -> Tensor {
        let node = node(x)
        if node.offset < 0 { return watched[Int(node.slot)] }
        if node.valuePending { return Tensor(values[node.offset] + Foundation.log1p(node.param)) }
        return Tensor(shape: node.shape, scalars: Array(UnsafeBufferPointer(start: values + node.offset, count: node.shape.count)))
    }

    /// The forward value of a one-element tensor.
    public func scalar(of x: TensorHandle) -> Double {
        let node = node(x)
        if node.offset < 0 { return watched[Int(node.slot)].scalars[0] }
        if node.valuePending { return values[node.offset] + Foundation.log1p(node.param) }
        return values[node.offset]
    }

    // MARK: gradients

    /// The gradients of `loss` (summed over its elements) with respect to each of `sources`,
    /// as dense tensors. A non-persistent tape answers once.
    public mutating func gradient(of loss: TensorHandle, wrt sources: [TensorHandle]) throws(TapeError) -> [Tensor] {
        for s in sources where Int(s.index) >= nodeCount { throw .unknownHandle }
        try backward(from: loss)
        return sources.map { gradient(for: $0).tensor }
    }

    /// Runs the backward pass from `loss`; read the results with `gradient(for:)`. This is
    /// the allocation-free path models use once per event. A non-persistent tape answers once
    /// and then lets go of the watched tensors, so the caller may update them in place.
    public mutating func backward(from loss: TensorHandle) throws(TapeError) {
        try backward(from: loss, keepingWatched: false)
    }

    /// `backward(from:)`; with `keepingWatched` the watched tensors stay (for `giveBack(_:)`).
    @inline(__always)
    mutating func backward(from loss: TensorHandle, keepingWatched: Bool) throws(TapeError) {
        guard !used else { throw .alreadyUsed }
        guard Int(loss.index) < nodeCount else { throw .unknownHandle }
        if let fault { throw .nonFinite(op: "\(fault)") }
        if !persistent { used = true }
        prepare()
        runBackward(from: Int(loss.index))
        if !persistent && !keepingWatched { watched.removeAll(keepingCapacity: true) }
    }

    /// The gradient of the last `backward(from:)` with respect to `source`: dense, or sparse
    /// when `source` is a watched variable reached only through sparse ops.
    public func gradient(for source: TensorHandle) -> VariableGradient {
        let node = node(source)
        if node.op == .variable && slots[Int(node.slot)].node == source.index {
            let s = Int(node.slot)
            if slots[s].dense {
                let dense = gradCount > 0 ? Array(UnsafeBufferPointer(start: grads + slots[s].grad, count: slots[s].count))
                                          : [Double](repeating: 0, count: slots[s].count)
                return VariableGradient(shape: node.shape, isSparse: false, dense: dense, indices: [], values: [])
            }
            return VariableGradient(shape: node.shape, isSparse: true, dense: [], indices: slotIndices[s], values: slotValues[s])
        }
        let g = gradCount >= node.offset + node.shape.count && node.offset >= 0
            ? Array(UnsafeBufferPointer(start: grads + node.offset, count: node.shape.count))
            : [Double](repeating: 0, count: node.shape.count)
        return VariableGradient(shape: node.shape, isSparse: false, dense: g, indices: [], values: [])
    }

    // MARK: recording helpers

    /// Appends a node with room for its value and returns its index.
    @inline(__always)
    mutating func append(_ op: Op, _ a: Int32, _ b: Int32, shape: Shape, requiresGrad: Bool,
                         param: Double = 0) -> Int32 {
        precondition(!used, "record on a used tape only after reset()")
        let offset = reserveValues(shape.count)
        return push(Node(op: op, requiresGrad: requiresGrad, a: a, b: b, slot: -1,
                         shape: shape, offset: offset, param: param))
    }

    /// Copies the stored entries of `x` into `inputs` (and `positions` when sparse) and records
    /// where they lie in `node`.
    @inline(__always)
    mutating func storeInput(_ x: FeatureVector, in node: inout Node) {
        let (dst, to) = reserveInput(x, in: &node)
        let n = x.count
        if n == 0 { return }
        x.values.withUnsafeBufferPointer { dst.update(from: $0.baseAddress!, count: n) }
        guard let to else { return }
        x.indices.withUnsafeBufferPointer { to.update(from: $0.baseAddress!, count: n) }
    }

    /// Claims room in `inputs` (and `positions` when sparse) for the stored entries of `x`,
    /// records where it lies in `node` and returns it, for the caller to fill.
    @inline(__always)
    mutating func reserveInput(_ x: FeatureVector, in node: inout Node)
        -> (values: UnsafeMutablePointer<Double>, positions: UnsafeMutablePointer<Int32>?) {
        let n = x.count
        precondition(inputCount + n <= Int(Int32.max), "more than 2^31 feature values recorded on one tape")
        node.input = inputCount
        node.inputCount = n
        node.positions = -1
        inputCount &+= n
        reserveInputs(upTo: inputCount)
        let dst = inputs + node.input
        if x.isDense { return (dst, nil) }
        node.positions = positionCount
        positionCount &+= n
        reservePositions(upTo: positionCount)
        return (dst, positions + node.positions)
    }

    /// Claims `count` value slots (contents undefined until the op writes them).
    @inline(__always)
    mutating func reserveValues(_ count: Int) -> Int {
        let offset = valueCount
        valueCount += count
        precondition(valueCount <= Int(Int32.max), "more than 2^31 values recorded on one tape")
        if buffers.reserveValues(upTo: valueCount) { arena.buffers = buffers }
        return offset
    }

    @inline(__always)
    mutating func push(_ node: Node) -> Int32 {
        reserveNodes(upTo: nodeCount + 1)
        nodes[nodeCount] = node
        nodeCount += 1
        return Int32(nodeCount - 1)
    }

    /// Checks the new node's value for NaN/infinity (remembering the first faulty op) and
    /// returns its handle.
    @inline(__always)
    mutating func finish(_ node: Int32) -> TensorHandle {
        if fault == nil {
            let n = nodes[Int(node)]
            var ok = true
            for i in n.offset..<(n.offset + n.shape.count) { ok = ok && values[i].isFinite }
            if !ok { fault = n.op }
        }
        return TensorHandle(index: node)
    }

    /// The offset of `x`'s value in `values`, copying a watched variable in on first dense use.
    @inline(__always)
    mutating func offset(of x: TensorHandle) -> Int {
        let i = Int(x.index)
        precondition(i < nodeCount, "tensor handle not recorded on this tape since its last reset()")
        let o = nodes[i].offset
        if o >= 0 {
            materialize(i)
            return o
        }
        let slot = Int(nodes[i].slot)
        let n = watched[slot].count
        let start = reserveValues(n)
        let v = values
        watched[slot].scalars.withUnsafeBufferPointer { src in
            for k in 0..<n { v[start + k] = src[k] }
        }
        nodes[i].offset = start
        slots[slot].dense = true
        lentVariables = 0
        return start
    }

    mutating func requires(_ a: TensorHandle) -> Bool { nodes[Int(a.index)].requiresGrad }

    /// Completes node `i`'s value when a term of it was deferred (`Node.valuePending`), before
    /// an op reads it.
    @inline(__always)
    mutating func materialize(_ i: Int) {
        guard nodes[i].valuePending else { return }
        values[nodes[i].offset] += Foundation.log1p(nodes[i].param)
        nodes[i].valuePending = false
    }
}
