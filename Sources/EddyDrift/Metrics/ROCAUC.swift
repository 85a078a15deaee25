import EddyCodec

/// Exact area under the ROC curve of P(class 1) over every event kept: the share of
/// (positive, negative) pairs ranked correctly, ties counting one half (Mann-Whitney). River's
/// `RollingROCAUC` computes the same over a window but credits cross-class ties by an
/// integer-truncated half; without ties the two agree exactly. 0 until both classes occur.
/// It keeps every (score, label) pair, so use it through `Rolling` on endless streams.
///
/// ```swift
/// var auc = ROCAUC()
/// auc.update(truth: 1, prediction: 0.9)
/// auc.update(truth: 0, prediction: 0.2)
/// auc.value // 1
/// ```
public struct ROCAUC: Metric {
    public static let kind = "roc_auc"
    private var scores: [Double] = []
    private var labels: [Bool] = []
    private var positives = 0

    public init() {}

    public var biggerIsBetter: Bool { true }
    public var needsProbability: Bool { true }

    public mutating func update(truth: Double, prediction: Double) {
        scores.append(prediction)
        labels.append(truth == 1)
        if truth == 1 { positives += 1 }
    }

    /// Removes the oldest matching pair (`Rolling` reverts oldest first).
    public mutating func revert(truth: Double, prediction: Double) {
        guard let i = scores.indices.first(where: { scores[$0] == prediction && labels[$0] == (truth == 1) }) else { return }
        scores.remove(at: i)
        labels.remove(at: i)
        if truth == 1 { positives -= 1 }
    }

    public var value: Double {
        let negatives = scores.count - positives
        guard positives > 0 && negatives > 0 else { return 0 }
        let order = scores.indices.sorted { scores[$0] < scores[$1] }
        // Sum of the (tie-averaged) ranks of the positives.
        var rankSum = 0.0
        var i = 0
        while i < order.count {
            var j = i
            while j + 1 < order.count && scores[order[j + 1]] == scores[order[i]] { j += 1 }
            let averageRank = Double(i + j + 2) / 2
            for k in i...j where labels[order[k]] { rankSum += averageRank }
            i = j + 1
        }
        let p = Double(positives), n = Double(negatives)
        return (rankSum - p * (p + 1) / 2) / (p * n)
    }

    public func serialized() -> [UInt8] {
        var writer = StateWriter(kind: Self.kind, version: 1)
        writer.write(scores)
        writer.write(labels.map { $0 ? 1 : 0 })
        return writer.finish()
    }

    public init(state: [UInt8]) throws(StateError) {
        var reader = try StateReader(state, kind: Self.kind, supported: 1...1)
        scores = try reader.readDoubles()
        let flags = try reader.readInts()
        try reader.finish()
        guard flags.count == scores.count, flags.allSatisfy({ $0 == 0 || $0 == 1 }) else {
            throw .invalid("ROC AUC labels do not match its scores")
        }
        labels = flags.map { $0 == 1 }
        positives = flags.reduce(0, +)
    }
}
