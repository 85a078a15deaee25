/// MurmurHash3 x86 32-bit, fed byte by byte so a key made of several strings hashes without
/// building the concatenation.
///
/// ```swift
/// var h = MurmurHash3(seed: 42)
/// h.combine("country"); h.combine(UInt8(ascii: "=")); h.combine("NZ")
/// let bucket = h.finalize() & 0x3FFFF
/// ```
public struct MurmurHash3: Sendable {
    private var hash: UInt32
    private var block: UInt32 = 0
    private var pending = 0
    private var length = 0

    public init(seed: UInt32) { hash = seed }

    /// Hashes the UTF-8 bytes of `text`.
    public mutating func combine(_ text: String) {
        var text = text
        text.withUTF8 { bytes in for b in bytes { combine(b) } }
    }

    /// Hashes one byte.
    @inline(__always)
    public mutating func combine(_ byte: UInt8) {
        block |= UInt32(byte) << (8 * UInt32(pending))
        pending += 1
        length += 1
        if pending == 4 {
            hash ^= Self.scramble(block)
            hash = (hash << 13 | hash >> 19) &* 5 &+ 0xE654_6B64
            block = 0
            pending = 0
        }
    }

    /// The hash of everything combined so far.
    public func finalize() -> UInt32 {
        var h = hash
        if pending > 0 { h ^= Self.scramble(block) }
        h ^= UInt32(truncatingIfNeeded: length)
        h ^= h >> 16
        h &*= 0x85EB_CA6B
        h ^= h >> 13
        h &*= 0xC2B2_AE35
        h ^= h >> 16
        return h
    }

    @inline(__always)
    private static func scramble(_ k: UInt32) -> UInt32 {
        var k = k &* 0xCC9E_2D51
        k = k << 15 | k >> 17
        return k &* 0x1B87_3593
    }
}
