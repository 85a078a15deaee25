import EddyFeatures

/// A tensor recorded on a `GradientTape`: the result of `watch`, `constant` or an op.
public struct TensorHandle: Hashable, Sendable {
    let index: Int32
}

/// Reverse-mode automatic differentiation recorded at run time, shaped like TensorFlow's
/// `tf.GradientTape`: watch the variables, run the forward computation through the tape's
/// ops, then ask for the gradient of the loss.
///
/// A default tape answers once; `GradientTape(persistent: true)` answers as often as asked.
/// `reset()` empties the tape for the next event while keeping every buffer, so a model
/// that records one step per event allocates nothing once warmed up.
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

    struct Node {
        var op: Op
        var a: Int32
        var b: Int32
        /// The watched-variable slot of a `.variable`, or the feature slot of `.dot`/`.gatherRows`.
        var slot: Int32
        var requiresGrad: Bool
        var shape: Shape
        /// Offset of the value in `values`; -1 for a variable read in place.
        var offset: Int
        var param: Double
        /// A constant label folded into a loss node (`b == -1`).
        var label: Double = 0
    }

    /// Whether the tape may be asked for gradients more than once.
    public let persistent: Bool

    // The arenas only grow; `nodeCount` and `valueCount` say how much of them this step uses,
    // so `reset()` is two stores and recording reuses the same memory event after event.
    var nodes: [Node] = []
    var nodeCount = 0
    var values: [Double] = []
    var valueCount = 0
    var grads: [Double] = []
    var watched: [Tensor] = []
    var features: [FeatureVector] = []
    var featureCount = 0
    var fault: Op? = nil
    var used = false

    // Per watched variable: dense or sparse gradient buffers, kept between resets.
    var slotNode: [Int32] = []
    var slotDense: [Bool] = []
    var slotGrad: [[Double]] = []
    var slotIndices: [[Int]] = []
    var slotValues: [[Double]] = []

    /// An empty tape. A persistent one may be asked for gradients more than once.
    public init(persistent: Bool = false) {
        self.persistent = persistent
    }

    /// Forgets everything recorded, keeping the buffers for the next step.
    public mutating func reset() {
        nodeCount = 0
        valueCount = 0
        if !watched.isEmpty { watched.removeAll(keepingCapacity: true) }
        featureCount = 0
        fault = nil
        used = false
    }

    // MARK: leaves

    /// Records a variable whose gradient is wanted. Its storage is read in place (not copied)
    /// by sparse ops, so watching a 2^18-wide hashed weight vector costs nothing per event.
    public mutating func watch(_ variable: Tensor) -> TensorHandle {
        precondition(!used, "record on a used tape only after reset()")
        let slot = watched.count
        watched.append(variable)
        return watchSlot(slot, shape: variable.shape)
    }

    /// Resets the tape and takes `variables` in (moved, not copied: no reference is retained)
    /// as watched slots `0..<count`, handles `0..<count`. `giveBack(_:)` returns them after the
    /// backward pass; until then `variables` is empty.
    mutating func lend(_ variables: inout [Tensor]) {
        reset()
        swap(&watched, &variables)
        for slot in 0..<watched.count { _ = watchSlot(slot, shape: watched[slot].shape) }
    }

    /// Returns the variables taken by `lend(_:)`.
    mutating func giveBack(_ variables: inout [Tensor]) {
        precondition(variables.isEmpty, "giveBack(_:) without lend(_:)")
        swap(&watched, &variables)
    }

    /// Records the `.variable` node of watched slot `slot`.
    @inline(__always)
    mutating func watchSlot(_ slot: Int, shape: Shape) -> TensorHandle {
        if slotDense.count == slot {
            slotNode.append(0)
            slotDense.append(false)
            slotGrad.append([])
            slotIndices.append([])
            slotValues.append([])
        }
        slotNode[slot] = Int32(nodeCount)
        slotDense[slot] = false
        return TensorHandle(index: push(Node(op: .variable, a: -1, b: -1, slot: Int32(slot), requiresGrad: true,
                                             shape: shape, offset: -1, param: 0)))
    }

    /// Records a tensor that is not differentiated (inputs, labels).
    public mutating func constant(_ value: Tensor) -> TensorHandle {
        let node = append(.constant, -1, -1, shape: value.shape, requiresGrad: false)
        let offset = nodes[Int(node)].offset
        value.scalars.withUnsafeBufferPointer { src in
            values.withUnsafeMutableBufferPointer { v in
                for i in 0..<src.count { v[offset + i] = src[i] }
            }
        }
        return finish(node)
    }

    /// Records a scalar constant.
    public mutating func constant(_ value: Double) -> TensorHandle {
        let node = append(.constant, -1, -1, shape: .scalar, requiresGrad: false)
        values[valueCount - 1] = value
        return finish(node)
    }

    /// Records the stored values of a feature vector as a constant vector (no allocation).
    public mutating func constant(valuesOf x: FeatureVector) -> TensorHandle {
        let node = append(.constant, -1, -1, shape: .vector(x.count), requiresGrad: false)
        let offset = nodes[Int(node)].offset
        x.values.withUnsafeBufferPointer { src in
            values.withUnsafeMutableBufferPointer { v in
                for i in 0..<src.count { v[offset + i] = src[i] }
            }
        }
        return finish(node)
    }

    /// The same value, cut off from differentiation.
    public mutating func stopGradient(_ x: TensorHandle) -> TensorHandle {
        let xo = offset(of: x)
        let shape = nodes[Int(x.index)].shape
        let node = append(.stopGradient, x.index, -1, shape: shape, requiresGrad: false)
        let o = nodes[Int(node)].offset
        values.withUnsafeMutableBufferPointer { v in
            for i in 0..<shape.count { v[o + i] = v[xo + i] }
        }
        return finish(node)
    }

    // MARK: reading back

    /// The shape of a recorded tensor.
    public func shape(of x: TensorHandle) -> Shape { nodes[Int(x.index)].shape }

    /// The forward value of a recorded tensor (allocates).
    public func value(of x: TensorHandle) -> Tensor {
        let node = nodes[Int(x.index)]
        if node.offset < 0 { return watched[Int(node.slot)] }
        return Tensor(shape: node.shape, scalars: Array(values[node.offset..<(node.offset + node.shape.count)]))
    }

    /// The forward value of a one-element tensor.
    public func scalar(of x: TensorHandle) -> Double {
        let node = nodes[Int(x.index)]
        if node.offset < 0 { return watched[Int(node.slot)].scalars[0] }
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
    mutating func backward(from loss: TensorHandle, keepingWatched: Bool) throws(TapeError) {
        guard !used else { throw .alreadyUsed }
        guard Int(loss.index) < nodeCount else { throw .unknownHandle }
        if let fault { throw .nonFinite(op: "\(fault)") }
        if !persistent { used = true }
        runBackward(from: Int(loss.index))
        if !persistent && !keepingWatched { watched.removeAll(keepingCapacity: true) }
    }

    /// The gradient of the last `backward(from:)` with respect to `source`: dense, or sparse
    /// when `source` is a watched variable reached only through sparse ops.
    public func gradient(for source: TensorHandle) -> VariableGradient {
        let node = nodes[Int(source.index)]
        if node.op == .variable && slotNode[Int(node.slot)] == source.index {
            let s = Int(node.slot)
            if slotDense[s] {
                return VariableGradient(shape: node.shape, isSparse: false, dense: slotGrad[s], indices: [], values: [])
            }
            return VariableGradient(shape: node.shape, isSparse: true, dense: [], indices: slotIndices[s], values: slotValues[s])
        }
        let g = grads.count >= node.offset + node.shape.count && node.offset >= 0
            ? Array(grads[node.offset..<(node.offset + node.shape.count)])
            : [Double](repeating: 0, count: node.shape.count)
        return VariableGradient(shape: node.shape, isSparse: false, dense: g, indices: [], values: [])
    }

    /// The sum of squares of watched slot `s`'s gradient entries: NaN or infinite when an
    /// entry is (checked by the models before any weight moves).
    @inline(__always)
    func slotSquares(_ s: Int) -> Double {
        withSlotEntries(s) { $0.squaredNorm }
    }

    /// Calls `body` with watched slot `s`'s gradient from the last backward pass, viewed in
    /// place (what `gradient(for:)` copies out for the handle of slot `s`).
    @inline(__always)
    func withSlotEntries<R>(_ s: Int, _ body: (GradientEntries) -> R) -> R {
        if slotDense[s] { return slotGrad[s].withUnsafeBufferPointer { body(GradientEntries(dense: $0)) } }
        return slotIndices[s].withUnsafeBufferPointer { i in
            slotValues[s].withUnsafeBufferPointer { v in body(GradientEntries(indices: i, values: v)) }
        }
    }

    /// `withSlotEntries` for a caller that updates two other values of its own (its variables and
    /// its optimizer) in `body`: passing them `inout` lets the tape be read in place, not copied.
    @inline(__always)
    func withSlotEntries<A, B>(_ s: Int, _ a: inout A, _ b: inout B, _ body: (inout A, inout B, GradientEntries) -> Void) {
        if slotDense[s] {
            slotGrad[s].withUnsafeBufferPointer { body(&a, &b, GradientEntries(dense: $0)) }
            return
        }
        slotIndices[s].withUnsafeBufferPointer { i in
            slotValues[s].withUnsafeBufferPointer { v in body(&a, &b, GradientEntries(indices: i, values: v)) }
        }
    }

    // MARK: recording helpers

    /// Appends a node with room for its value and returns its index.
    @inline(__always)
    mutating func append(_ op: Op, _ a: Int32, _ b: Int32, shape: Shape, requiresGrad: Bool,
                         slot: Int32 = -1, param: Double = 0) -> Int32 {
        precondition(!used, "record on a used tape only after reset()")
        let offset = reserveValues(shape.count)
        return push(Node(op: op, a: a, b: b, slot: slot, requiresGrad: requiresGrad,
                         shape: shape, offset: offset, param: param))
    }

    /// Claims `count` value slots (contents undefined until the op writes them).
    @inline(__always)
    mutating func reserveValues(_ count: Int) -> Int {
        let offset = valueCount
        valueCount += count
        if valueCount > values.count {
            values.append(contentsOf: repeatElement(0, count: max(valueCount - values.count, values.count)))
        }
        return offset
    }

    @inline(__always)
    mutating func push(_ node: Node) -> Int32 {
        if nodeCount < nodes.count { nodes[nodeCount] = node } else { nodes.append(node) }
        nodeCount += 1
        return Int32(nodeCount - 1)
    }

    /// Checks the new node's value for NaN/infinity (remembering the first faulty op) and
    /// returns its handle.
    @inline(__always)
    mutating func finish(_ node: Int32) -> TensorHandle {
        if fault == nil {
            let n = nodes[Int(node)]
            let finite = values.withUnsafeBufferPointer { v in
                var ok = true
                for i in n.offset..<(n.offset + n.shape.count) { ok = ok && v[i].isFinite }
                return ok
            }
            if !finite { fault = n.op }
        }
        return TensorHandle(index: node)
    }

    /// The offset of `x`'s value in `values`, copying a watched variable in on first dense use.
    @inline(__always)
    mutating func offset(of x: TensorHandle) -> Int {
        let i = Int(x.index)
        precondition(i < nodeCount, "tensor handle not recorded on this tape since its last reset()")
        let o = nodes[i].offset
        if o >= 0 { return o }
        let slot = Int(nodes[i].slot)
        let n = watched[slot].count
        let start = reserveValues(n)
        watched[slot].scalars.withUnsafeBufferPointer { src in
            values.withUnsafeMutableBufferPointer { v in
                for k in 0..<n { v[start + k] = src[k] }
            }
        }
        nodes[i].offset = start
        slotDense[slot] = true
        return start
    }

    mutating func requires(_ a: TensorHandle) -> Bool { nodes[Int(a.index)].requiresGrad }
}
