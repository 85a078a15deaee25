import EddyCodec

/// One-hot encoding of categorical features: each `name=value` pair seen gets the next free
/// position (up to `capacity`; later new pairs are dropped and counted), and an event becomes
/// a sparse vector of 1s at its pairs' positions, ascending. Numeric features pass through at
/// a position of their own name.
///
/// ```swift
/// var encoder = OneHotEncoder(capacity: 1_000)
/// let x = encoder.learnTransform([.categorical("color", "red"), .categorical("size", "L")])
/// x.indices   // [0, 1]
/// ```
public struct OneHotEncoder: Sendable, Equatable {
    /// The most positions handed out.
    public let capacity: Int
    /// Pairs (or numeric names) by position.
    public private(set) var keys: [String] = []
    /// Pairs that arrived after `capacity` was reached.
    public private(set) var dropped = 0
    private var positions: [String: Int32] = [:]

    public init(capacity: Int = 1 << 20) {
        precondition(capacity > 0 && capacity <= Int(Int32.max), "capacity out of range")
        self.capacity = capacity
    }

    /// The number of positions in use: the input width of the model behind the encoder.
    public var width: Int { keys.count }

    static func key(_ feature: Feature) -> (String, Double) {
        switch feature {
        case .numeric(let name, let value): (name, value)
        case .categorical(let name, let value): ("\(name)=\(value)", 1)
        }
    }

    /// Gives positions to pairs not seen before, then encodes.
    public mutating func learnTransform(_ features: [Feature]) -> FeatureVector {
        for feature in features {
            let (key, _) = Self.key(feature)
            if positions[key] == nil {
                if keys.count < capacity {
                    positions[key] = Int32(keys.count)
                    keys.append(key)
                } else {
                    dropped += 1
                }
            }
        }
        return transform(features)
    }

    /// Encodes with the positions known so far; unknown pairs are left out.
    public func transform(_ features: [Feature]) -> FeatureVector {
        var entries: [(Int32, Double)] = []
        for feature in features {
            let (key, value) = Self.key(feature)
            if let p = positions[key] { entries.append((p, value)) }
        }
        entries.sort { $0.0 < $1.0 }
        var indices: [Int32] = [], values: [Double] = []
        for (p, v) in entries {
            if indices.last == p { values[values.count - 1] += v } else { indices.append(p); values.append(v) }
        }
        return FeatureVector(indices: indices, values: values)
    }

    /// The encoder as a versioned, checksummed blob.
    public func stateBlob() -> [UInt8] {
        var writer = StateWriter(kind: "one-hot-encoder", version: 1)
        writer.write(capacity)
        writer.write(dropped)
        writer.write(keys.count)
        for key in keys { writer.write(key) }
        return writer.finish()
    }

    /// Restores an encoder from `stateBlob()`.
    public init(stateBlob blob: [UInt8]) throws(StateError) {
        var reader = try StateReader(blob, kind: "one-hot-encoder", supported: 1...1)
        capacity = try reader.readInt()
        dropped = try reader.readInt()
        let count = try reader.readInt()
        guard capacity > 0, capacity <= Int(Int32.max), count >= 0, count <= capacity, dropped >= 0 else {
            throw .invalid("one-hot encoder sizes out of range")
        }
        for k in 0..<count {
            let key = try reader.readString()
            guard positions[key] == nil else { throw .invalid("duplicate key \(key)") }
            positions[key] = Int32(k)
            keys.append(key)
        }
        try reader.finish()
    }
}
