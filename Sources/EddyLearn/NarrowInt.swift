/// An `Int` kept in 32 bits, for the tape's compact `Node`s: written truncating, read widened,
/// both unchecked. The tape guarantees the values fit (`reserveValues`, `storeInput`, `watch`,
/// `lend` and `constant` refuse anything past 2^31).
///
/// ```swift
/// struct Entry {
///     @NarrowInt var offset: Int = -1   // 4 bytes, read as Int
/// }
/// ```
@propertyWrapper
struct NarrowInt: Sendable {
    private var stored: Int32

    @inline(__always)
    init(wrappedValue: Int) {
        stored = Int32(truncatingIfNeeded: wrappedValue)
    }

    var wrappedValue: Int {
        @inline(__always) get { Int(stored) }
        @inline(__always) set { stored = Int32(truncatingIfNeeded: newValue) }
    }
}
