/// The hashing trick: names (numeric features) and `name=value` pairs (categorical features)
/// are hashed with seeded MurmurHash3 into `2^bits` buckets, producing a sparse
/// `FeatureVector` sorted by position, with colliding entries added together. With
/// `alternateSign` the hash also picks a sign, so collisions cancel out on average.
///
/// ```swift
/// let hasher = FeatureHasher(bits: 18, seed: 7)
/// var x = FeatureVector(indices: [], values: [])
/// hasher.hash([.numeric("amount", 12.5), .categorical("country", "NZ")], into: &x)
/// x.count   // 2 (1 if they collide)
/// ```
public struct FeatureHasher: Sendable, Equatable {
    /// log2 of the number of buckets.
    public let bits: Int
    /// The hash seed.
    public let seed: UInt32
    /// Whether a hash bit flips the sign of the value.
    public let alternateSign: Bool

    public init(bits: Int = 18, seed: UInt32 = 0, alternateSign: Bool = false) {
        precondition((1...30).contains(bits), "bits must lie in 1...30")
        self.bits = bits
        self.seed = seed
        self.alternateSign = alternateSign
    }

    /// The number of buckets, `2^bits`: the input width of the model behind the hasher.
    public var width: Int { 1 << bits }

    /// The bucket and sign of a feature.
    public func bucket(of feature: Feature) -> (position: Int32, sign: Double) {
        var h = MurmurHash3(seed: seed)
        switch feature {
        case .numeric(let name, _):
            h.combine(name)
        case .categorical(let name, let value):
            h.combine(name)
            h.combine(UInt8(ascii: "="))
            h.combine(value)
        }
        let hash = h.finalize()
        let sign: Double = alternateSign && hash >> 31 == 1 ? -1 : 1
        return (Int32(truncatingIfNeeded: hash & UInt32(width - 1)), sign)
    }

    /// Hashes `features` into `x`, reusing its storage: positions ascending, collisions summed.
    public func hash(_ features: [Feature], into x: inout FeatureVector) {
        x.indices.removeAll(keepingCapacity: true)
        x.values.removeAll(keepingCapacity: true)
        for feature in features {
            let (position, sign) = bucket(of: feature)
            let value: Double
            switch feature {
            case .numeric(_, let v): value = v
            case .categorical: value = 1
            }
            // Insert in order (events have tens of features), adding on collision.
            var k = x.indices.count
            while k > 0 && x.indices[k - 1] > position { k -= 1 }
            if k > 0 && x.indices[k - 1] == position {
                x.values[k - 1] += sign * value
            } else {
                x.indices.insert(position, at: k)
                x.values.insert(sign * value, at: k)
            }
        }
    }

    /// Hashes `features` into a new sparse vector.
    public func hash(_ features: [Feature]) -> FeatureVector {
        var x = FeatureVector(indices: [], values: [])
        hash(features, into: &x)
        return x
    }
}
