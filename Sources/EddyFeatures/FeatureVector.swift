/// The features of one event, as a learner sees them: either dense (every position
/// present, `indices` empty) or sparse (parallel `indices` and `values`, as produced by
/// feature hashing). Values and indices sit in parallel arrays so hot loops stay tight.
///
/// ```swift
/// let dense = FeatureVector(dense: [0.5, 1.0, -2.0])
/// let hashed = FeatureVector(indices: [17, 90_311], values: [1, 1])
/// dense.count    // 3
/// hashed.isDense // false
/// ```
public struct FeatureVector: Sendable, Equatable {
    /// Feature positions for a sparse vector; empty for a dense one.
    public var indices: [Int32]
    /// Feature values: position `i` of a dense vector, or the value at `indices[i]`.
    public var values: [Double]

    /// A dense vector whose position `i` holds `values[i]`.
    public init(dense values: [Double]) {
        self.indices = []
        self.values = values
    }

    /// A sparse vector. `indices` and `values` must have the same length.
    public init(indices: [Int32], values: [Double]) {
        precondition(indices.count == values.count, "indices and values differ in length")
        self.indices = indices
        self.values = values
    }

    /// True when every position is present and `indices` is empty.
    @inlinable public var isDense: Bool { indices.isEmpty }

    /// The number of stored entries.
    @inlinable public var count: Int { values.count }

    /// Calls `body(position, value)` for every stored entry, in storage order.
    @inlinable public func forEach(_ body: (Int, Double) throws -> Void) rethrows {
        if indices.isEmpty {
            for i in 0..<values.count { try body(i, values[i]) }
        } else {
            for i in 0..<values.count { try body(Int(indices[i]), values[i]) }
        }
    }

    /// The first stored value that is NaN or infinite, with its position; nil when all are finite.
    public var firstNonFinite: (position: Int, value: Double)? {
        for i in 0..<values.count where !values[i].isFinite {
            return (indices.isEmpty ? i : Int(indices[i]), values[i])
        }
        return nil
    }
}
