/// Why a state blob was refused.
///
/// ```swift
/// do { _ = try StateReader(blob, kind: "adwin", supported: 1...1) }
/// catch let error as StateError { print(error) } // says what is wrong with the blob
/// ```
public enum StateError: Error, Equatable, Sendable, CustomStringConvertible {
    case truncated(needed: Int, available: Int)
    case notEddyState
    case checksumMismatch
    case wrongKind(expected: String, found: String)
    case unsupportedVersion(kind: String, found: UInt16, supported: ClosedRange<UInt16>)
    case invalid(String)

    public var description: String {
        switch self {
        case .truncated(let needed, let available):
            "state blob is truncated: needed \(needed) more bytes, \(available) left"
        case .notEddyState:
            "not an Eddy state blob (no EDDY header)"
        case .checksumMismatch:
            "state blob is corrupted: its checksum does not match its contents"
        case .wrongKind(let expected, let found):
            "state blob holds a '\(found)', expected a '\(expected)'"
        case .unsupportedVersion(let kind, let found, let supported):
            "state blob of '\(kind)' has format version \(found); this build reads \(supported.lowerBound)...\(supported.upperBound): upgrade eddy"
        case .invalid(let why):
            "state blob is invalid: \(why)"
        }
    }
}

/// Reads a blob written by `StateWriter`, checking header, kind, version and checksum first.
///
/// ```swift
/// var reader = try StateReader(blob, kind: "logreg", supported: 1...1)
/// let weights: [Double] = try reader.readDoubles()
/// let seen = try reader.readInt()
/// try reader.finish() // refuses trailing bytes
/// ```
public struct StateReader: Sendable {
    private let bytes: [UInt8]
    private var position: Int
    private let end: Int
    /// The format version the blob was written with.
    public private(set) var version: UInt16

    public init(_ blob: [UInt8], kind: String, supported: ClosedRange<UInt16>) throws(StateError) {
        guard blob.count >= StateFormat.magic.count + 2 + 8 + 8,
              Array(blob[0..<4]) == StateFormat.magic else {
            if blob.count >= 4 && Array(blob[0..<4]) == StateFormat.magic {
                throw .truncated(needed: 22 - blob.count, available: blob.count)
            }
            throw .notEddyState
        }
        let end = blob.count - 8
        var stored: UInt64 = 0
        for i in 0..<8 { stored |= UInt64(blob[end + i]) << (8 * UInt64(i)) }
        guard stored == StateFormat.checksum(blob[0..<end]) else { throw .checksumMismatch }
        self.bytes = blob
        self.end = end
        self.position = 4
        self.version = 0
        let version = try readUInt16()
        let found = try readString()
        guard found == kind else { throw .wrongKind(expected: kind, found: found) }
        guard supported.contains(version) else {
            throw .unsupportedVersion(kind: kind, found: version, supported: supported)
        }
        self.version = version
    }

    public mutating func readUInt8() throws(StateError) -> UInt8 { try take(1).first! }
    public mutating func readBool() throws(StateError) -> Bool {
        switch try readUInt8() {
        case 0: return false
        case 1: return true
        case let b: throw .invalid("byte \(b) is not a boolean")
        }
    }
    public mutating func readUInt16() throws(StateError) -> UInt16 { try readInteger() }
    public mutating func readUInt32() throws(StateError) -> UInt32 { try readInteger() }
    public mutating func readUInt64() throws(StateError) -> UInt64 { try readInteger() }
    public mutating func readInt() throws(StateError) -> Int { Int(try readInteger() as Int64) }
    public mutating func readDouble() throws(StateError) -> Double { Double(bitPattern: try readInteger()) }

    public mutating func readString() throws(StateError) -> String {
        let count = try readCount(elementSize: 1)
        return String(decoding: try take(count), as: UTF8.self)
    }

    public mutating func readDoubles() throws(StateError) -> [Double] {
        let count = try readCount(elementSize: 8)
        var values = [Double]()
        values.reserveCapacity(count)
        for _ in 0..<count { values.append(try readDouble()) }
        return values
    }

    public mutating func readInts() throws(StateError) -> [Int] {
        let count = try readCount(elementSize: 8)
        var values = [Int]()
        values.reserveCapacity(count)
        for _ in 0..<count { values.append(try readInt()) }
        return values
    }

    /// Reads a nested blob written with `StateWriter.write(blob:)`.
    public mutating func readBlob() throws(StateError) -> [UInt8] {
        Array(try take(try readCount(elementSize: 1)))
    }

    /// Confirms that every byte was read; a blob with bytes left over is refused.
    public func finish() throws(StateError) {
        guard position == end else { throw .invalid("\(end - position) unread bytes at the end") }
    }

    private mutating func readCount(elementSize: Int) throws(StateError) -> Int {
        let count = try readInt()
        guard count >= 0, count <= (end - position) / elementSize else {
            throw .truncated(needed: max(count, 0) * elementSize, available: end - position)
        }
        return count
    }

    private mutating func readInteger<T: FixedWidthInteger>() throws(StateError) -> T {
        let raw = try take(MemoryLayout<T>.size)
        var value: T = 0
        for (i, b) in raw.enumerated() { value |= T(b) << (8 * i) }
        return value
    }

    private mutating func take(_ count: Int) throws(StateError) -> ArraySlice<UInt8> {
        guard count <= end - position else { throw .truncated(needed: count, available: end - position) }
        defer { position += count }
        return bytes[position..<(position + count)]
    }
}
