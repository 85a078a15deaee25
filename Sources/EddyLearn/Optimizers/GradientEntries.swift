/// A gradient's entries viewed in place, without copying: dense (every element, row-major)
/// or sparse (positions with values; a repeated position adds up). Valid only inside the call
/// that receives it; `Parameters.step(from:)` hands the tape's own buffers to the optimizer
/// this way, so an update allocates and retains nothing.
///
/// ```swift
/// gradient.withEntries { entries in
///     optimizer.apply(to: &weights, slot: 0, entries: entries, policy: GradientPolicy(), scale: 1)
/// }
/// ```
public struct GradientEntries {
    /// True when `indices`/`values` hold the entries; false when `dense` holds every element.
    public let isSparse: Bool
    /// Every element in row-major order (empty when sparse).
    public let dense: UnsafeBufferPointer<Double>
    /// Flat positions of the sparse entries.
    public let indices: UnsafeBufferPointer<Int>
    /// Values of the sparse entries.
    public let values: UnsafeBufferPointer<Double>

    /// Dense entries.
    @inlinable public init(dense: UnsafeBufferPointer<Double>) {
        isSparse = false
        self.dense = dense
        indices = UnsafeBufferPointer(start: nil, count: 0)
        values = UnsafeBufferPointer(start: nil, count: 0)
    }

    /// Sparse entries: `values[k]` at position `indices[k]`.
    @inlinable public init(indices: UnsafeBufferPointer<Int>, values: UnsafeBufferPointer<Double>) {
        precondition(indices.count == values.count, "one value per sparse position")
        isSparse = true
        dense = UnsafeBufferPointer(start: nil, count: 0)
        self.indices = indices
        self.values = values
    }

    /// The sum of squares of the entries.
    @inlinable public var squaredNorm: Double {
        let entries = isSparse ? values : dense
        var total = 0.0
        for k in 0..<entries.count { total += entries[k] * entries[k] }
        return total
    }

    /// Whether the sum of squares of the entries is finite, as `squaredNorm.isFinite` says,
    /// from four interleaved partial sums (a quarter of the dependent additions; only the
    /// finiteness is read, not the bits of the sum).
    @inline(__always)
    var squaresAreFinite: Bool { squaresSum.isFinite }

    /// The sum of squares of the entries from four interleaved partial sums: `squaredNorm`
    /// up to rounding (the order of the additions differs).
    @inline(__always)
    var squaresSum: Double {
        let e = isSparse ? values : dense
        var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
        var k = 0
        while k &+ 4 <= e.count {
            s0 += e[k] * e[k]; s1 += e[k &+ 1] * e[k &+ 1]; s2 += e[k &+ 2] * e[k &+ 2]; s3 += e[k &+ 3] * e[k &+ 3]
            k &+= 4
        }
        while k < e.count { s0 += e[k] * e[k]; k &+= 1 }
        return s0 + s1 + s2 + s3
    }
}

extension VariableGradient {
    /// Calls `body` with this gradient's entries viewed in place.
    public func withEntries<R>(_ body: (GradientEntries) throws -> R) rethrows -> R {
        if isSparse {
            return try indices.withUnsafeBufferPointer { i in
                try values.withUnsafeBufferPointer { v in try body(GradientEntries(indices: i, values: v)) }
            }
        }
        return try dense.withUnsafeBufferPointer { d in try body(GradientEntries(dense: d)) }
    }
}
