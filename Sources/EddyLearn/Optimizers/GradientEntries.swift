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
        return Self.squaresSum(count: e.count) { e[$0] }
    }

    /// The sum of squares of `entry(0) ..< entry(count)` in `squaresSum`'s order, for entries
    /// made where they are used (a compiled step's fused update checks them so).
    @inline(__always)
    static func squaresSum(count: Int, _ entry: (Int) -> Double) -> Double {
        var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
        var k = 0
        while k &+ 4 <= count {
            let e0 = entry(k), e1 = entry(k &+ 1), e2 = entry(k &+ 2), e3 = entry(k &+ 3)
            s0 += e0 * e0; s1 += e1 * e1; s2 += e2 * e2; s3 += e3 * e3
            k &+= 4
        }
        while k < count {
            let e = entry(k)
            s0 += e * e
            k &+= 1
        }
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
