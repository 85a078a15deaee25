import EddyCodec

/// A Float64 scalar, vector or row-major matrix with contiguous storage: the value of a model
/// variable and what `GradientTape.gradient(of:wrt:)` returns.
///
/// ```swift
/// var w = Tensor(zeros: .matrix(rows: 2, cols: 3))
/// w[1, 2] = 0.5
/// let b = Tensor([0.1, -0.2])   // a vector
/// let s = Tensor(3.0)           // a scalar
/// w.scalars                     // [0, 0, 0, 0, 0, 0.5]
/// ```
public struct Tensor: Sendable, Equatable {
    /// The tensor's shape.
    public private(set) var shape: Shape
    /// The elements in row-major order.
    public var scalars: [Double]

    /// A scalar.
    public init(_ value: Double) {
        shape = .scalar
        scalars = [value]
    }

    /// A vector.
    public init(_ values: [Double]) {
        shape = .vector(values.count)
        scalars = values
    }

    /// A tensor of the given shape; `scalars` is row-major and must hold `shape.count` values.
    public init(shape: Shape, scalars: [Double]) {
        precondition(scalars.count == shape.count, "\(scalars.count) scalars do not fill shape \(shape)")
        self.shape = shape
        self.scalars = scalars
    }

    /// A tensor of the given shape filled with `value`.
    public init(zeros shape: Shape, value: Double = 0) {
        self.shape = shape
        scalars = [Double](repeating: value, count: shape.count)
    }

    /// The number of elements.
    @inlinable public var count: Int { scalars.count }

    /// The element at flat position `i` (row-major).
    @inlinable public subscript(i: Int) -> Double {
        get { scalars[i] }
        set { scalars[i] = newValue }
    }

    /// The matrix element at `row`, `col`.
    @inlinable public subscript(row: Int, col: Int) -> Double {
        get { scalars[row * shape.cols + col] }
        set { scalars[row * shape.cols + col] = newValue }
    }

    /// The value of a one-element tensor.
    public var scalar: Double {
        precondition(scalars.count == 1, "tensor of shape \(shape) is not a scalar")
        return scalars[0]
    }

    /// True when every element is finite.
    public var isFinite: Bool { scalars.allSatisfy(\.isFinite) }
}

extension Tensor {
    /// Appends shape and elements to a state blob (bitwise).
    public func write(to writer: inout StateWriter) {
        writer.write(shape.rank)
        writer.write(shape.rows)
        writer.write(shape.cols)
        writer.write(scalars)
    }

    /// Reads a tensor written by `write(to:)`, refusing inconsistent shapes.
    public init(from reader: inout StateReader) throws(StateError) {
        let rank = try reader.readInt(), rows = try reader.readInt(), cols = try reader.readInt()
        let scalars = try reader.readDoubles()
        guard (0...2).contains(rank), rows >= 0, cols >= 0,
              rank == 2 || rows == 1, rank != 0 || cols == 1,
              rows.multipliedReportingOverflow(by: cols).partialValue == scalars.count else {
            throw .invalid("tensor of rank \(rank) and shape \(rows)x\(cols) holds \(scalars.count) values")
        }
        self.init(shape: Shape(rank: rank, rows: rows, cols: cols), scalars: scalars)
    }
}
