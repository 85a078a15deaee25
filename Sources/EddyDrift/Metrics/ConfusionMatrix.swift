import EddyCodec

/// A weighted confusion matrix over class indices 0, 1, 2, …, growing as classes appear, as
/// River's `metrics.ConfusionMatrix`: rows are true classes, columns predicted ones.
///
/// ```swift
/// var cm = ConfusionMatrix()
/// cm.update(truth: 0, prediction: 1)
/// cm[0, 1]        // 1
/// cm.classes      // [0, 1]
/// ```
public struct ConfusionMatrix: Sendable, Equatable {
    public static let kind = "confusion_matrix"
    /// The counts, row-major, `size` × `size`, then the `size` row sums, then the `size`
    /// column sums: one buffer, so an update checks one array's uniqueness, not three.
    private var cells: [Double] = []
    public private(set) var size = 0
    /// Sum of the weights on the diagonal.
    public private(set) var totalTruePositives = 0.0
    /// Sum of all weights.
    public private(set) var totalWeight = 0.0

    public init() {}

    /// The weight of events of true class `truth` predicted as `prediction`.
    public subscript(truth: Int, prediction: Int) -> Double {
        truth < size && prediction < size ? cells[truth * size + prediction] : 0
    }

    /// Classes that occur as a truth or a prediction (with non-zero weight), ascending.
    public var classes: [Int] {
        (0..<size).filter { rowSum($0) != 0 || columnSum($0) != 0 }
    }

    public func rowSum(_ c: Int) -> Double { c < size ? cells[size * size + c] : 0 }
    public func columnSum(_ c: Int) -> Double { c < size ? cells[size * size + size + c] : 0 }
    public func truePositives(_ c: Int) -> Double { self[c, c] }

    /// The mean over the classes seen of a per-class score (River's macro averaging; 0 with no class).
    func macroAverage(_ score: (Int) -> Double) -> Double {
        let classes = self.classes
        var total = 0.0
        for c in classes { total += score(c) }
        return ratio(total, Double(classes.count))
    }
    public func falsePositives(_ c: Int) -> Double { columnSum(c) - self[c, c] }
    public func falseNegatives(_ c: Int) -> Double { rowSum(c) - self[c, c] }

    public mutating func update(truth: Double, prediction: Double, weight: Double = 1) {
        let t = Self.index(truth), p = Self.index(prediction)
        grow(to: max(t, p) + 1)
        let n = size
        cells.withUnsafeMutableBufferPointer { cells in
            cells[t * n + p] += weight
            cells[n * n + t] += weight
            cells[n * n + n + p] += weight
        }
        totalWeight += weight
        if t == p { totalTruePositives += weight }
    }

    public mutating func revert(truth: Double, prediction: Double, weight: Double = 1) {
        update(truth: truth, prediction: prediction, weight: -weight)
    }

    /// The label as an index: a truncating conversion checked to be exact (no call to `round`).
    @inline(__always)
    private static func index(_ label: Double) -> Int {
        precondition(label >= 0 && label < 1e9, "class labels are indices 0, 1, 2, …; got \(label)")
        let index = Int(label)
        precondition(Double(index) == label, "class labels are indices 0, 1, 2, …; got \(label)")
        return index
    }

    /// Checked on every update, inlined; the growing itself happens once per new class.
    @inline(__always)
    private mutating func grow(to newSize: Int) {
        if newSize > size { widen(to: newSize) }
    }

    @inline(never)
    private mutating func widen(to newSize: Int) {
        var grown = [Double](repeating: 0, count: newSize * newSize + 2 * newSize)
        for r in 0..<size {
            for c in 0..<size { grown[r * newSize + c] = cells[r * size + c] }
        }
        for c in 0..<size {
            grown[newSize * newSize + c] = rowSum(c)
            grown[newSize * newSize + newSize + c] = columnSum(c)
        }
        cells = grown
        size = newSize
    }

    func write(to writer: inout StateWriter) {
        writer.write(size)
        writer.write(Array(cells[..<(size * size)]))
        writer.write(Array(cells[(size * size)..<(size * size + size)]))
        writer.write(Array(cells[(size * size + size)...]))
        writer.write(totalTruePositives)
        writer.write(totalWeight)
    }

    init(from reader: inout StateReader) throws(StateError) {
        size = try reader.readInt()
        let counts = try reader.readDoubles(), rowSums = try reader.readDoubles(), columnSums = try reader.readDoubles()
        totalTruePositives = try reader.readDouble()
        totalWeight = try reader.readDouble()
        guard size >= 0, counts.count == size * size, rowSums.count == size, columnSums.count == size else {
            throw .invalid("confusion matrix of size \(size) has mismatched counts")
        }
        cells = counts + rowSums + columnSums
    }

    /// The matrix as a state blob.
    public func serialized() -> [UInt8] {
        var writer = StateWriter(kind: Self.kind, version: 1)
        write(to: &writer)
        return writer.finish()
    }

    /// Restores a matrix from `serialized()`.
    public init(state: [UInt8]) throws(StateError) {
        var reader = try StateReader(state, kind: Self.kind, supported: 1...1)
        try self.init(from: &reader)
        try reader.finish()
    }
}

/// A metric computed from a confusion matrix.
protocol ConfusionMetric: Metric {
    var matrix: ConfusionMatrix { get set }
    init()
}

extension ConfusionMetric {
    public mutating func update(truth: Double, prediction: Double) {
        matrix.update(truth: truth, prediction: prediction)
    }

    public mutating func revert(truth: Double, prediction: Double) {
        matrix.revert(truth: truth, prediction: prediction)
    }

    public var biggerIsBetter: Bool { true }

    public func serialized() -> [UInt8] {
        var writer = StateWriter(kind: Self.kind, version: 1)
        matrix.write(to: &writer)
        return writer.finish()
    }

    public init(state: [UInt8]) throws(StateError) {
        var reader = try StateReader(state, kind: Self.kind, supported: 1...1)
        self.init()
        matrix = try ConfusionMatrix(from: &reader)
        try reader.finish()
    }
}

/// `a / b`, or 0 when `b` is 0 (River's `except ZeroDivisionError: return 0.0`).
@inline(__always)
func ratio(_ a: Double, _ b: Double) -> Double { b == 0 ? 0 : a / b }
