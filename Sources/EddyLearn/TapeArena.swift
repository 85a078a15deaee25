/// The memory of a `GradientTape`: its nodes, values, gradients, copied inputs and watched
/// slots in flat buffers that only grow, so a tape that records one step per event allocates
/// nothing once warmed up, and the ops and the backward pass index the buffers directly
/// (no per-access bounds, uniqueness or reference-count checks).
///
/// The tape holds these pointers itself (reading them costs a struct field, not a class
/// access) and an owning `TapeArena` for their lifetime and copy-on-write; it writes through
/// them only while it holds the arena alone, which makes the `@unchecked Sendable` sound.
///
/// ```swift
/// var buffers = TapeBuffers()
/// buffers.reserveValues(upTo: 100)
/// buffers.values[99] = 1
/// buffers.deallocate()
/// ```
struct TapeBuffers: @unchecked Sendable {
    private(set) var nodes: UnsafeMutablePointer<GradientTape.Node>
    private(set) var values: UnsafeMutablePointer<Double>
    private(set) var grads: UnsafeMutablePointer<Double>
    private(set) var inputs: UnsafeMutablePointer<Double>
    private(set) var positions: UnsafeMutablePointer<Int32>
    private(set) var slots: UnsafeMutablePointer<GradientTape.Slot>
    private(set) var nodeCapacity = 16, valueCapacity = 64, gradCapacity = 64
    private(set) var inputCapacity = 64, positionCapacity = 64, slotCapacity = 4

    init() {
        nodes = Self.allocate(nodeCapacity, GradientTape.Node.empty)
        values = Self.allocate(valueCapacity, 0)
        grads = Self.allocate(gradCapacity, 0)
        inputs = Self.allocate(inputCapacity, 0)
        positions = Self.allocate(positionCapacity, 0)
        slots = Self.allocate(slotCapacity, GradientTape.Slot.empty)
    }

    /// New buffers holding the same contents.
    func copy() -> TapeBuffers {
        var c = TapeBuffers()
        c.reserveNodes(upTo: nodeCapacity)
        c.reserveValues(upTo: valueCapacity)
        c.reserveGrads(upTo: gradCapacity)
        c.reserveInputs(upTo: inputCapacity)
        c.reservePositions(upTo: positionCapacity)
        c.reserveSlots(upTo: slotCapacity)
        c.nodes.update(from: nodes, count: nodeCapacity)
        c.values.update(from: values, count: valueCapacity)
        c.grads.update(from: grads, count: gradCapacity)
        c.inputs.update(from: inputs, count: inputCapacity)
        c.positions.update(from: positions, count: positionCapacity)
        c.slots.update(from: slots, count: slotCapacity)
        return c
    }

    func deallocate() {
        nodes.deallocate()
        values.deallocate()
        grads.deallocate()
        inputs.deallocate()
        positions.deallocate()
        slots.deallocate()
    }

    // Each makes room for `count` elements, keeping the contents, and says whether the buffer
    // moved (pointers taken before are then stale).
    @discardableResult
    mutating func reserveNodes(upTo count: Int) -> Bool { count > nodeCapacity && Self.grow(&nodes, &nodeCapacity, count, .empty) }
    @discardableResult
    mutating func reserveValues(upTo count: Int) -> Bool { count > valueCapacity && Self.grow(&values, &valueCapacity, count, 0) }
    @discardableResult
    mutating func reserveGrads(upTo count: Int) -> Bool { count > gradCapacity && Self.grow(&grads, &gradCapacity, count, 0) }
    @discardableResult
    mutating func reserveInputs(upTo count: Int) -> Bool { count > inputCapacity && Self.grow(&inputs, &inputCapacity, count, 0) }
    @discardableResult
    mutating func reservePositions(upTo count: Int) -> Bool {
        count > positionCapacity && Self.grow(&positions, &positionCapacity, count, 0)
    }
    @discardableResult
    mutating func reserveSlots(upTo count: Int) -> Bool { count > slotCapacity && Self.grow(&slots, &slotCapacity, count, .empty) }

    private static func allocate<T>(_ capacity: Int, _ fill: T) -> UnsafeMutablePointer<T> {
        let p = UnsafeMutablePointer<T>.allocate(capacity: capacity)
        p.initialize(repeating: fill, count: capacity)
        return p
    }

    @inline(never)
    private static func grow<T>(_ p: inout UnsafeMutablePointer<T>, _ capacity: inout Int, _ needed: Int, _ fill: T) -> Bool {
        let bigger = max(needed, 2 * capacity)
        let q = allocate(bigger, fill)
        q.update(from: p, count: capacity)
        p.deallocate()
        p = q
        capacity = bigger
        return true
    }
}

/// Owns a `GradientTape`'s buffers: frees them when the last tape holding them goes, and
/// tells a tape whether it holds them alone. The tape copies them before writing when it does
/// not (copy-on-write), so the buffers are never written while shared; that is what makes the
/// `@unchecked Sendable` sound.
///
/// ```swift
/// var arena = TapeArena()
/// if !isKnownUniquelyReferenced(&arena) { arena = arena.copy() }
/// ```
final class TapeArena: @unchecked Sendable {
    /// The buffers as last grown; the tape keeps its own copy of this value for fast reads.
    var buffers = TapeBuffers()

    /// An arena with copies of this one's buffers.
    func copy() -> TapeArena {
        let c = TapeArena()
        c.buffers.deallocate()
        c.buffers = buffers.copy()
        return c
    }

    deinit { buffers.deallocate() }
}
