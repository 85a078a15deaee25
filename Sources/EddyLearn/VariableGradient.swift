/// The gradient of a loss with respect to one watched tensor, as the tape computed it:
/// dense (every element, row-major) or sparse (the elements touched by sparse ops such as
/// `GradientTape.dot(_:_:)` on a hashed `FeatureVector`, which may repeat a position; the
/// entries then add up).
///
/// Optimizers update only the listed positions of a sparse gradient, so a 2^18-wide hashed
/// model costs per event only what its active features cost.
///
/// ```swift
/// try tape.backward(from: loss)
/// let g = tape.gradient(for: w)
/// g.forEach { position, value in print(position, value) }
/// ```
public struct VariableGradient: Sendable {
    /// The shape of the tensor this gradient belongs to.
    public let shape: Shape
    /// True when only `indices`/`values` hold entries; false when `dense` holds every element.
    public let isSparse: Bool
    /// Every element in row-major order (empty when sparse).
    public var dense: [Double]
    /// Flat positions of the sparse entries.
    public var indices: [Int]
    /// Values of the sparse entries.
    public var values: [Double]

    init(shape: Shape, isSparse: Bool, dense: [Double], indices: [Int], values: [Double]) {
        self.shape = shape
        self.isSparse = isSparse
        self.dense = dense
        self.indices = indices
        self.values = values
    }

    /// Calls `body(position, value)` for every stored entry.
    @inlinable public func forEach(_ body: (Int, Double) throws -> Void) rethrows {
        if isSparse {
            for k in 0..<indices.count { try body(indices[k], values[k]) }
        } else {
            for k in 0..<dense.count { try body(k, dense[k]) }
        }
    }

    /// The number of stored entries.
    public var entryCount: Int { isSparse ? indices.count : dense.count }

    /// The sum of squares of the stored entries.
    public var squaredNorm: Double {
        if !isSparse { return dense.reduce(0) { $0 + $1 * $1 } }
        var total = 0.0
        for k in 0..<values.count { total += values[k] * values[k] }
        return total
    }

    /// True when every entry is finite.
    public var isFinite: Bool {
        isSparse ? values.allSatisfy(\.isFinite) : dense.allSatisfy(\.isFinite)
    }

    /// The gradient as a dense tensor (allocates; for inspection and tests).
    public var tensor: Tensor {
        if !isSparse { return Tensor(shape: shape, scalars: dense) }
        var scalars = [Double](repeating: 0, count: shape.count)
        for k in 0..<indices.count { scalars[indices[k]] += values[k] }
        return Tensor(shape: shape, scalars: scalars)
    }
}
