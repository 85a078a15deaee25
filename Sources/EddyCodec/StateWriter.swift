/// Appends a learner's, optimizer's or detector's state to a byte buffer in Eddy's
/// versioned little-endian format. `StateReader` reads it back in the same order.
///
/// ```swift
/// var writer = StateWriter(kind: "logreg", version: 1)
/// writer.write(weights)       // [Double]
/// writer.write(eventsSeen)    // Int
/// let blob = writer.finish()  // header + body + checksum
/// ```
public struct StateWriter: Sendable {
    private(set) var bytes: [UInt8] = []

    /// Starts a blob of the given kind (a short name such as `adwin`) and format version.
    public init(kind: String, version: UInt16) {
        bytes.append(contentsOf: StateFormat.magic)
        write(version)
        write(kind)
    }

    public mutating func write(_ value: UInt8) { bytes.append(value) }
    public mutating func write(_ value: Bool) { bytes.append(value ? 1 : 0) }
    public mutating func write(_ value: UInt16) { appendLittleEndian(value) }
    public mutating func write(_ value: UInt32) { appendLittleEndian(value) }
    public mutating func write(_ value: UInt64) { appendLittleEndian(value) }
    public mutating func write(_ value: Int) { appendLittleEndian(Int64(value)) }
    /// Doubles are stored by bit pattern, so a round trip is bitwise exact (NaN payloads too).
    public mutating func write(_ value: Double) { appendLittleEndian(value.bitPattern) }

    public mutating func write(_ value: String) {
        let utf8 = Array(value.utf8)
        write(utf8.count)
        bytes.append(contentsOf: utf8)
    }

    public mutating func write(_ values: [Double]) {
        write(values.count)
        bytes.reserveCapacity(bytes.count + values.count * 8)
        for v in values { appendLittleEndian(v.bitPattern) }
    }

    public mutating func write(_ values: [Int]) {
        write(values.count)
        for v in values { appendLittleEndian(Int64(v)) }
    }

    /// Writes a nested blob (for example an optimizer inside a learner) with its length.
    public mutating func write(blob: [UInt8]) {
        write(blob.count)
        bytes.append(contentsOf: blob)
    }

    /// Ends the blob with a checksum of everything before it and returns the bytes.
    public consuming func finish() -> [UInt8] {
        let sum = StateFormat.checksum(bytes[...])
        appendLittleEndian(sum)
        return bytes
    }

    private mutating func appendLittleEndian<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }
}

/// Constants and the checksum shared by `StateWriter` and `StateReader`.
enum StateFormat {
    static let magic: [UInt8] = Array("EDDY".utf8)

    /// FNV-1a, 64 bit: cheap, and enough to catch truncation and flipped bytes.
    static func checksum(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes {
            hash ^= UInt64(b)
            hash &*= 0x0000_0100_0000_01b3
        }
        return hash
    }
}
