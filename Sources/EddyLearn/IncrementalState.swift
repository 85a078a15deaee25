import EddyCodec

/// State-format helpers shared by the incremental classifiers.
enum IncrementalState {
    static func write(_ task: LearningTask, to writer: inout StateWriter) {
        switch task {
        case .binary: writer.write(UInt8(0))
        case .multiclass(let classes): writer.write(UInt8(1)); writer.write(classes)
        case .regression: writer.write(UInt8(2))
        }
    }

    /// Reads a classification task; a regression task or an absurd class count is refused.
    static func readClassificationTask(from reader: inout StateReader) throws(StateError) -> LearningTask {
        switch try reader.readUInt8() {
        case 0: return .binary
        case 1:
            let classes = try reader.readInt()
            guard (2...1 << 20).contains(classes) else { throw .invalid("\(classes) classes") }
            return .multiclass(classes: classes)
        case let tag: throw .invalid("task tag \(tag) is not a classification task")
        }
    }

    /// Reads a list of class indices, each below `classes`, without duplicates.
    static func readClassOrder(from reader: inout StateReader, classes: Int) throws(StateError) -> [Int] {
        let order = try reader.readInts()
        var seen = [Bool](repeating: false, count: classes)
        for c in order {
            guard c >= 0, c < classes, !seen[c] else { throw .invalid("class \(c) in a class list") }
            seen[c] = true
        }
        return order
    }

    /// Reads `[Double]` of exactly `count` elements.
    static func readDoubles(from reader: inout StateReader, count: Int) throws(StateError) -> [Double] {
        let values = try reader.readDoubles()
        guard values.count == count else { throw .invalid("\(values.count) values where \(count) belong") }
        return values
    }
}
