import EddyCodec

/// One prequential metric, updated event by event and revertible, so `Rolling` can keep it
/// over the last N events (River's `metrics.base.Metric` with `utils.Rolling`).
///
/// `prediction` is the predicted label (class index) for label metrics, the probability of
/// class 1 for `LogLoss` and `ROCAUC` (`needsProbability`), and the predicted value for
/// regression metrics.
///
/// ```swift
/// var accuracy = Accuracy()
/// accuracy.update(truth: 1, prediction: 1)
/// accuracy.update(truth: 0, prediction: 1)
/// accuracy.value           // 0.5
/// accuracy.biggerIsBetter  // true
/// ```
public protocol Metric: Sendable {
    /// Short name used in reports and state blobs (`accuracy`, `f1`, `rmse`, ...).
    static var kind: String { get }
    /// Adds one (truth, prediction) pair.
    mutating func update(truth: Double, prediction: Double)
    /// Removes a pair added earlier.
    mutating func revert(truth: Double, prediction: Double)
    /// The metric's current value (0 before anything is known, as River).
    var value: Double { get }
    /// True when larger values mean a better model.
    var biggerIsBetter: Bool { get }
    /// True when `prediction` is the probability of class 1 rather than a label or value.
    var needsProbability: Bool { get }
    /// The metric's state as an Eddy state blob.
    func serialized() -> [UInt8]
    /// Restores a metric from `serialized()`.
    init(state: [UInt8]) throws(StateError)
}

extension Metric {
    public var needsProbability: Bool { false }
}

/// A weighted running mean, as River's `stats.Mean` (update and revert).
struct RunningMean: Sendable, Equatable {
    var n = 0.0
    var mean = 0.0

    mutating func update(_ x: Double, weight w: Double = 1) {
        n += w
        mean += (w / n) * (x - mean)
    }

    mutating func revert(_ x: Double, weight w: Double = 1) {
        n -= w
        if n == 0 { mean = 0 } else { mean -= (w / n) * (x - mean) }
    }

    func write(to writer: inout StateWriter) {
        writer.write(n)
        writer.write(mean)
    }

    init() {}

    init(from reader: inout StateReader) throws(StateError) {
        n = try reader.readDouble()
        mean = try reader.readDouble()
    }
}

/// A metric that is the running mean of a per-event loss (River's `MeanMetric`).
protocol MeanLossMetric: Metric {
    var mean: RunningMean { get set }
    init()
    static func loss(truth: Double, prediction: Double) -> Double
}

extension MeanLossMetric {
    public mutating func update(truth: Double, prediction: Double) {
        mean.update(Self.loss(truth: truth, prediction: prediction))
    }

    public mutating func revert(truth: Double, prediction: Double) {
        mean.revert(Self.loss(truth: truth, prediction: prediction))
    }

    public var biggerIsBetter: Bool { false }

    public func serialized() -> [UInt8] {
        var writer = StateWriter(kind: Self.kind, version: 1)
        mean.write(to: &writer)
        return writer.finish()
    }

    public init(state: [UInt8]) throws(StateError) {
        var reader = try StateReader(state, kind: Self.kind, supported: 1...1)
        self.init()
        mean = try RunningMean(from: &reader)
        try reader.finish()
    }
}
