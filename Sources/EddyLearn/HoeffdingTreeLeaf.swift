#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import EddyCodec
import EddyFeatures

/// How a Hoeffding tree leaf predicts, as River's `leaf_prediction`.
public enum LeafPrediction: UInt8, Sendable, Equatable {
    /// The class distribution seen at the leaf (`"mc"`).
    case majorityClass = 0
    /// Naive Bayes over the leaf's Gaussian observers (`"nb"`).
    case naiveBayes = 1
    /// Naive Bayes where it has been more accurate than the majority class so far (`"nba"`).
    case naiveBayesAdaptive = 2
}

/// A leaf of a Hoeffding tree (River's `LeafMajorityClass`, `LeafNaiveBayes` and
/// `LeafNaiveBayesAdaptive` in one value): class weights, one `GaussianSplitter` per feature
/// while active, and the adaptive leaf's correct-prediction weights.
struct HoeffdingTreeLeaf: Sendable, Equatable {
    var depth: Int
    var stats: ClassDistribution
    private(set) var isActive = true
    var lastSplitAttemptAt: Double
    private var majorityCorrectWeight = 0.0
    private var naiveBayesCorrectWeight = 0.0
    /// Features in the order the leaf first saw them, and their observers.
    private var splitterFeatures: [Int] = []
    private var splitters: [GaussianSplitter] = []
    /// Feature position -> index into `splitters`, -1 for none.
    private var slotOfFeature: [Int32] = []

    init(stats: ClassDistribution, depth: Int) {
        self.stats = stats
        self.depth = depth
        lastSplitAttemptAt = stats.isEmpty ? 0 : stats.total
    }

    var totalWeight: Double { stats.isEmpty ? 0 : stats.total }

    mutating func deactivate() {
        isActive = false
        splitterFeatures = []
        splitters = []
        slotOfFeature = []
    }

    mutating func activate() { isActive = true }

    /// River's `calculate_promise`: weight not in the majority class.
    var promise: Double {
        let total = stats.total
        return total > 0 ? total - stats.largestWeight : 0
    }

    mutating func learn(_ x: FeatureVector, label y: Int, prediction: LeafPrediction, scratch: inout [Double]) {
        if isActive && prediction == .naiveBayesAdaptive {
            if stats.isEmpty || stats.majorityClass == y { majorityCorrectWeight += 1 }
            if naiveBayes(x, into: &scratch), naiveBayesClass(scratch) == y { naiveBayesCorrectWeight += 1 }
        }
        stats.add(y, 1)
        guard isActive else { return }
        let classes = stats.weights.count
        x.forEach { position, value in
            if position >= slotOfFeature.count {
                slotOfFeature.append(contentsOf: repeatElement(-1, count: position + 1 - slotOfFeature.count))
            }
            var slot = Int(slotOfFeature[position])
            if slot < 0 {
                slot = splitters.count
                slotOfFeature[position] = Int32(slot)
                splitterFeatures.append(position)
                splitters.append(GaussianSplitter(classes: classes))
            }
            splitters[slot].update(value, class: y, weight: 1)
        }
    }

    /// Writes the leaf's class probabilities into `output` (zeroed by the caller).
    func predict(_ x: FeatureVector, into output: inout [Double], prediction: LeafPrediction, naiveBayesThreshold: Double) {
        let useNaiveBayes = switch prediction {
        case .majorityClass: false
        case .naiveBayes: isActive && totalWeight >= naiveBayesThreshold
        case .naiveBayesAdaptive: isActive && naiveBayesCorrectWeight >= majorityCorrectWeight
        }
        if useNaiveBayes {
            _ = naiveBayes(x, into: &output)
        } else {
            let total = stats.total
            for c in stats.order { output[c] = stats.normalizedWeight(c, total: total) }
        }
    }

    /// River's `do_naive_bayes_prediction`: writes the probabilities of the leaf's classes
    /// into `votes` (other entries untouched); false, writing nothing, when the leaf has no weight.
    func naiveBayes(_ x: FeatureVector, into votes: inout [Double]) -> Bool {
        let total = stats.total
        guard !stats.isEmpty, total != 0 else { return false }
        // River adds, per class, the log-densities in observer order; looping over observers
        // outside keeps that order per class while reading each observer once.
        let order = stats.order, weights = stats.weights
        for c in order { votes[c] = weights[c] > 0 ? log(weights[c] / total) : 0.0 }
        splitters.withUnsafeBufferPointer { observers in
            if x.isDense {
                for s in 0..<observers.count where splitterFeatures[s] < x.count {
                    observers[s].addLogDensities(of: x.values[splitterFeatures[s]], classes: order,
                                                 weights: weights, to: &votes)
                }
                return
            }
            // A sparse vector: find the observed entries, then visit them in observer order.
            withUnsafeTemporaryAllocation(of: (slot: Int32, entry: Int).self, capacity: x.count) { found in
                var n = 0
                for entry in 0..<x.count {
                    let position = Int(x.indices[entry])
                    guard position < slotOfFeature.count, slotOfFeature[position] >= 0 else { continue }
                    var k = n
                    while k > 0 && found[k - 1].slot > slotOfFeature[position] {
                        found[k] = found[k - 1]
                        k -= 1
                    }
                    found[k] = (slotOfFeature[position], entry)
                    n += 1
                }
                for k in 0..<n {
                    observers[Int(found[k].slot)].addLogDensities(
                        of: x.values[found[k].entry], classes: order, weights: weights, to: &votes)
                }
            }
        }
        var maxLL = -Double.infinity
        for c in stats.order where votes[c] > maxLL { maxLL = votes[c] }
        var sum = 0.0
        for c in stats.order { sum += exp(votes[c] - maxLL) }
        let lse = maxLL + log(sum)
        for c in stats.order { votes[c] = exp(votes[c] - lse) }
        return true
    }

    /// The first class, in arrival order, with the largest vote.
    private func naiveBayesClass(_ votes: [Double]) -> Int {
        var best = stats.order[0]
        for c in stats.order.dropFirst() where votes[c] > votes[best] { best = c }
        return best
    }

    /// River's `best_split_suggestions` (with the majority-class leaf's share check).
    func splitSuggestions(criterion: SplitCriterion, meritPreprune: Bool, maxShareToSplit: Double,
                          splitCount: Int) -> [SplitSuggestion] {
        let majority = stats.largestWeight
        if majority != 0 && majority / totalWeight > maxShareToSplit { return [.null] }
        var suggestions = [SplitSuggestion]()
        if meritPreprune { suggestions.append(.null) }
        for s in 0..<splitters.count {
            suggestions.append(splitters[s].bestSplit(criterion: criterion, preSplit: stats,
                                                      feature: splitterFeatures[s], splitCount: splitCount))
        }
        return suggestions
    }

    /// Bytes this leaf occupies, for the tree's memory management.
    var estimatedBytes: Int {
        let classes = stats.weights.count
        return 96 + classes * 16 + slotOfFeature.count * 4 + splitters.count * (64 + classes * 48)
    }

    func write(to writer: inout StateWriter) {
        writer.write(depth)
        stats.write(to: &writer)
        writer.write(isActive)
        writer.write(lastSplitAttemptAt)
        writer.write(majorityCorrectWeight)
        writer.write(naiveBayesCorrectWeight)
        writer.write(splitterFeatures)
        for s in splitters { s.write(to: &writer) }
    }

    static func read(from reader: inout StateReader, classes: Int, featureLimit: Int) throws(StateError) -> HoeffdingTreeLeaf {
        let depth = try reader.readInt()
        guard depth >= 0 else { throw .invalid("leaf depth \(depth)") }
        var leaf = HoeffdingTreeLeaf(stats: try ClassDistribution.read(from: &reader, classes: classes), depth: depth)
        leaf.isActive = try reader.readBool()
        leaf.lastSplitAttemptAt = try reader.readDouble()
        leaf.majorityCorrectWeight = try reader.readDouble()
        leaf.naiveBayesCorrectWeight = try reader.readDouble()
        leaf.splitterFeatures = try reader.readInts()
        guard leaf.isActive || leaf.splitterFeatures.isEmpty else { throw .invalid("inactive leaf with observers") }
        for (slot, feature) in leaf.splitterFeatures.enumerated() {
            guard feature >= 0, feature < featureLimit else { throw .invalid("feature \(feature)") }
            if feature >= leaf.slotOfFeature.count {
                leaf.slotOfFeature.append(contentsOf: repeatElement(-1, count: feature + 1 - leaf.slotOfFeature.count))
            }
            guard leaf.slotOfFeature[feature] < 0 else { throw .invalid("feature \(feature) observed twice") }
            leaf.slotOfFeature[feature] = Int32(slot)
            leaf.splitters.append(try GaussianSplitter.read(from: &reader, classes: classes))
        }
        return leaf
    }
}
