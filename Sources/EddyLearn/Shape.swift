/// The shape of a `Tensor`: a scalar, a vector or a row-major matrix.
///
/// A vector of `n` broadcasts like a `1 x n` row, as in NumPy, so `matrix + vector` adds the
/// vector to every row and `matrix + column` (an `r x 1` matrix) to every column.
///
/// ```swift
/// let s = Shape.matrix(rows: 2, cols: 3)
/// s.count                                  // 6
/// Shape.broadcast(s, .vector(3))           // .matrix(rows: 2, cols: 3)
/// ```
public struct Shape: Hashable, Sendable, CustomStringConvertible {
    /// 0 for a scalar, 1 for a vector, 2 for a matrix.
    public let rank: Int
    /// Rows as broadcasting sees them: 1 for scalars and vectors.
    public let rows: Int
    /// Columns as broadcasting sees them: the length of a vector, 1 for a scalar.
    public let cols: Int

    public static let scalar = Shape(rank: 0, rows: 1, cols: 1)
    public static func vector(_ count: Int) -> Shape { Shape(rank: 1, rows: 1, cols: count) }
    public static func matrix(rows: Int, cols: Int) -> Shape { Shape(rank: 2, rows: rows, cols: cols) }

    /// The number of elements.
    @inlinable public var count: Int { rows * cols }

    public var description: String {
        switch rank {
        case 0: "[]"
        case 1: "[\(cols)]"
        default: "[\(rows), \(cols)]"
        }
    }

    /// The shape NumPy broadcasting gives `a op b`, or nil when the two do not broadcast.
    public static func broadcast(_ a: Shape, _ b: Shape) -> Shape? {
        guard a.rows == b.rows || a.rows == 1 || b.rows == 1,
              a.cols == b.cols || a.cols == 1 || b.cols == 1 else { return nil }
        let rank = max(a.rank, b.rank)
        let rows = max(a.rows, b.rows), cols = max(a.cols, b.cols)
        if rank == 1 && rows > 1 { return .matrix(rows: rows, cols: cols) }
        return Shape(rank: rank, rows: rows, cols: cols)
    }

    init(rank: Int, rows: Int, cols: Int) {
        self.rank = rank
        self.rows = rows
        self.cols = cols
    }
}
