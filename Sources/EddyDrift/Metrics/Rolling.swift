import EddyCodec

/// Any metric over the last `windowSize` events only, as River's `utils.Rolling`: when the
/// window is full the oldest pair is reverted before the new one is added.
///
/// ```swift
/// var recent = Rolling(Accuracy(), windowSize: 1000)
/// recent.update(truth: 1, prediction: 0)
/// recent.value
/// ```
public struct Rolling<Base: Metric>: Metric {
    public static var kind: String { "rolling_" + Base.kind }
    public private(set) var base: Base
    public let windowSize: Int
    private var truths: [Double]
    private var predictions: [Double]
    private var start = 0
    private var count = 0

    public init(_ base: Base, windowSize: Int) {
        precondition(windowSize >= 1, "a rolling window holds at least one event")
        self.base = base
        self.windowSize = windowSize
        truths = [Double](repeating: 0, count: windowSize)
        predictions = [Double](repeating: 0, count: windowSize)
    }

    public var value: Double { base.value }
    public var biggerIsBetter: Bool { base.biggerIsBetter }
    public var needsProbability: Bool { base.needsProbability }

    public mutating func update(truth: Double, prediction: Double) {
        if count == windowSize {
            base.revert(truth: truths[start], prediction: predictions[start])
            truths[start] = truth
            predictions[start] = prediction
            start = (start + 1) % windowSize
        } else {
            let slot = (start + count) % windowSize
            truths[slot] = truth
            predictions[slot] = prediction
            count += 1
        }
        base.update(truth: truth, prediction: prediction)
    }

    /// Removes a pair from the underlying metric (the window keeps its slot until it rolls over).
    public mutating func revert(truth: Double, prediction: Double) {
        base.revert(truth: truth, prediction: prediction)
    }

    public func serialized() -> [UInt8] {
        var writer = StateWriter(kind: Self.kind, version: 1)
        writer.write(windowSize)
        writer.write((0..<count).map { truths[(start + $0) % windowSize] })
        writer.write((0..<count).map { predictions[(start + $0) % windowSize] })
        writer.write(blob: base.serialized())
        return writer.finish()
    }

    public init(state: [UInt8]) throws(StateError) {
        var reader = try StateReader(state, kind: Self.kind, supported: 1...1)
        let windowSize = try reader.readInt()
        let t = try reader.readDoubles(), p = try reader.readDoubles()
        let base = try Base(state: try reader.readBlob())
        try reader.finish()
        guard windowSize >= 1, t.count == p.count, t.count <= windowSize else {
            throw .invalid("rolling window of \(windowSize) holds \(t.count) events")
        }
        self.init(base, windowSize: windowSize)
        for i in 0..<t.count {
            truths[i] = t[i]
            predictions[i] = p[i]
        }
        count = t.count
    }
}
