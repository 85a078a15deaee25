#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import EddyCodec
import EddyFeatures

/// The Hoeffding tree classifier (VFDT) as River's `tree.HoeffdingTreeClassifier`, with its
/// defaults: grace period 200, information gain, split confidence 1e-7, tie threshold 0.05,
/// naive-Bayes-adaptive leaves, Gaussian numeric observers with 10 candidate thresholds,
/// pre-pruning by the null split, and River's limit of 100 MiB.
///
/// Every feature is numeric, named by its position in the `FeatureVector`; a feature a sparse
/// vector omits is missing, as a missing key is in River: it is not observed, and at a split on
/// it the event follows the heavier branch. Leaves index their observers by position, so
/// positions must stay below `featureLimit` (2^18 unless told otherwise); events beyond it are
/// refused.
///
/// Memory management follows River's structure (deactivate the least promising leaves when the
/// estimated size exceeds `maxSizeMiB`, re-activate the others after each split), but sizes are
/// Eddy's own byte counts of leaves, re-estimated every `memoryEstimatePeriod` events, rather
/// than Python object sizes. Until the first estimate (River's default: one million events) the
/// behaviour is River's exactly. River's `stop_mem_management`, `remove_poor_attrs`,
/// nominal features and `binary_split` (without effect on numeric features) are not offered.
///
/// ```swift
/// var tree = HoeffdingTreeClassifier(task: .multiclass(classes: 3))
/// var proba = [Double]()
/// for (x, y) in stream {
///     tree.predict(x, into: &proba)           // test ...
///     try tree.validatedLearn(x, label: y)    // ... then train; NaN/Inf refused
/// }
/// let blob = tree.serialized()
/// let restored = try HoeffdingTreeClassifier(restoring: blob)
/// ```
public struct HoeffdingTreeClassifier: Learner {
    public let task: LearningTask
    /// Events between split attempts at a leaf.
    public let gracePeriod: Int
    /// Leaves at this depth stop growing; nil for no limit.
    public let maxDepth: Int?
    /// How candidate splits are scored.
    public let splitCriterion: SplitCriterion
    /// One minus the confidence of a split decision (River's `delta`).
    public let splitConfidence: Double
    /// Split anyway when the Hoeffding bound falls below this (River's `tau`).
    public let tieThreshold: Double
    /// How leaves predict.
    public let leafPrediction: LeafPrediction
    /// Weight a naive Bayes leaf needs before it predicts by naive Bayes (River's `nb_threshold`).
    public let naiveBayesThreshold: Int
    /// Candidate thresholds per feature (River's `GaussianSplitter(n_splits)`).
    public let splitCount: Int
    /// A leaf whose majority class holds more than this share of its weight is not split.
    public let maxShareToSplit: Double
    /// The memory budget; past it, the least promising leaves stop learning splits.
    public let maxSizeMiB: Double
    /// Events between two estimates of the tree's size.
    public let memoryEstimatePeriod: Int
    /// Feature positions must be below this.
    public let featureLimit: Int
    /// Whether "do not split" competes with the candidate splits (River's `merit_preprune`).
    public let meritPreprune: Bool

    /// Events refused by `learn(_:label:)` because of a non-finite feature or an invalid label.
    public private(set) var rejectedEvents = 0
    /// Leaves that still observe features and may split; the others only count classes.
    public private(set) var activeLeafCount = 0
    public private(set) var inactiveLeafCount = 0
    private var trainWeightSeen = 0.0
    private var activeLeafSizeEstimate = 0.0
    private var inactiveLeafSizeEstimate = 0.0
    private var sizeEstimateOverheadFraction = 1.0

    /// Nodes; `leaf >= 0` marks a leaf (an index into `leaves`), otherwise a numeric binary
    /// branch sending `x[feature] <= threshold` left.
    private var nodes: [Node] = []
    private var leaves: [HoeffdingTreeLeaf] = []
    private var root = -1
    /// Working space for the adaptive leaves' naive Bayes check (not state).
    private var scratch: [Double]

    struct Node: Sendable, Equatable {
        var leaf: Int
        var feature = 0
        var threshold = 0.0
        var left = -1
        var right = -1
    }

    /// A tree with River's defaults unless told otherwise; `task` is `.binary` or
    /// `.multiclass(classes:)`.
    public init(task: LearningTask, gracePeriod: Int = 200, maxDepth: Int? = nil,
                splitCriterion: SplitCriterion = .infoGain, splitConfidence: Double = 1e-7,
                tieThreshold: Double = 0.05, leafPrediction: LeafPrediction = .naiveBayesAdaptive,
                naiveBayesThreshold: Int = 0, splitCount: Int = 10, maxShareToSplit: Double = 0.99,
                maxSizeMiB: Double = 100, memoryEstimatePeriod: Int = 1_000_000, meritPreprune: Bool = true,
                featureLimit: Int = 1 << 18) {
        precondition(task != .regression, "HoeffdingTreeClassifier is a classifier")
        precondition(gracePeriod > 0 && splitCount > 0 && memoryEstimatePeriod > 0, "periods and counts must be positive")
        precondition(splitConfidence > 0 && splitConfidence < 1, "splitConfidence must lie in (0, 1)")
        precondition(featureLimit > 0 && featureLimit <= Int(Int32.max), "featureLimit must lie in 1...Int32.max")
        self.task = task
        self.gracePeriod = gracePeriod
        self.maxDepth = maxDepth
        self.splitCriterion = splitCriterion
        self.splitConfidence = splitConfidence
        self.tieThreshold = tieThreshold
        self.leafPrediction = leafPrediction
        self.naiveBayesThreshold = naiveBayesThreshold
        self.splitCount = splitCount
        self.maxShareToSplit = maxShareToSplit
        self.maxSizeMiB = maxSizeMiB
        self.memoryEstimatePeriod = memoryEstimatePeriod
        self.meritPreprune = meritPreprune
        self.featureLimit = featureLimit
        scratch = [Double](repeating: 0, count: task.outputCount)
    }

    /// The number of leaves.
    public var leafCount: Int { root < 0 ? 0 : nodes.count - branchCount }
    /// The number of branches (split nodes).
    public var branchCount: Int { nodes.reduce(0) { $0 + ($1.leaf < 0 ? 1 : 0) } }

    private var depthLimit: Int { maxDepth ?? Int.max }

    // MARK: Prediction

    /// Class probabilities from the leaf `x` reaches; all zero before the first event.
    /// `x` should be finite (see `FeatureVector.firstNonFinite`): a NaN takes the right branch
    /// and makes naive Bayes probabilities NaN.
    public func predict(_ x: FeatureVector, into output: inout [Double]) {
        let classes = task.outputCount
        if output.count != classes { output = [Double](repeating: 0, count: classes) }
        for c in 0..<classes { output[c] = 0 }
        guard root >= 0 else { return }
        leaves[nodes[descend(x, from: root)].leaf].predict(
            x, into: &output, prediction: leafPrediction, naiveBayesThreshold: Double(naiveBayesThreshold))
    }

    /// Follows `x` down to a leaf, taking the heavier branch where a split feature is missing.
    private func descend(_ x: FeatureVector, from start: Int) -> Int {
        var node = start
        while nodes[node].leaf < 0 {
            if let value = x.value(at: nodes[node].feature) {
                node = value <= nodes[node].threshold ? nodes[node].left : nodes[node].right
            } else {
                node = mostCommonChild(node)
            }
        }
        return node
    }

    /// River's `most_common_path`: the right child only when strictly heavier.
    private func mostCommonChild(_ node: Int) -> Int {
        let left = nodes[node].left, right = nodes[node].right
        return weight(left) < weight(right) ? right : left
    }

    private func weight(_ node: Int) -> Double {
        let n = nodes[node]
        return n.leaf >= 0 ? leaves[n.leaf].totalWeight : weight(n.left) + weight(n.right)
    }

    // MARK: Learning

    /// Learns from one event; an event with a non-finite feature or an invalid label is not
    /// learned but counted in `rejectedEvents` (use `validatedLearn` to see why).
    public mutating func learn(_ x: FeatureVector, label: Double) {
        do { try validatedLearn(x, label: label) } catch { rejectedEvents += 1 }
    }

    /// Learns from one event, or refuses it with the reason, leaving the tree untouched.
    public mutating func validatedLearn(_ x: FeatureVector, label: Double) throws(LearnerInputError) {
        if let error = LearnerInputError.check(x, label: label, task: task, featureLimit: featureLimit) { throw error }
        let y = Int(label)
        trainWeightSeen += 1
        if root < 0 {
            leaves = [HoeffdingTreeLeaf(stats: ClassDistribution(classes: task.outputCount), depth: 0)]
            nodes = [Node(leaf: 0)]
            root = 0
            activeLeafCount = 1
        }
        var node = root
        var reachedByMissingFeature = false
        while nodes[node].leaf < 0 {
            guard let value = x.value(at: nodes[node].feature) else {
                reachedByMissingFeature = true
                node = descend(x, from: mostCommonChild(node))
                break
            }
            node = value <= nodes[node].threshold ? nodes[node].left : nodes[node].right
        }
        let l = nodes[node].leaf
        leaves[l].learn(x, label: y, prediction: leafPrediction, scratch: &scratch)
        if !reachedByMissingFeature && leaves[l].isActive {
            if leaves[l].depth >= depthLimit {
                leaves[l].deactivate()
                activeLeafCount -= 1
                inactiveLeafCount += 1
            } else {
                let weightSeen = leaves[l].totalWeight
                if weightSeen - leaves[l].lastSplitAttemptAt >= Double(gracePeriod) {
                    if !attemptToSplit(node) { leaves[l].lastSplitAttemptAt = weightSeen }
                }
            }
        }
        if trainWeightSeen.truncatingRemainder(dividingBy: Double(memoryEstimatePeriod)) == 0 {
            estimateModelSize()
        }
    }

    /// River's `_attempt_to_split`; true when the leaf at `node` became a branch.
    private mutating func attemptToSplit(_ node: Int) -> Bool {
        let l = nodes[node].leaf
        guard !leaves[l].stats.isPure else { return false }
        var suggestions = leaves[l].splitSuggestions(criterion: splitCriterion, meritPreprune: meritPreprune,
                                                     maxShareToSplit: maxShareToSplit, splitCount: splitCount)
        // Python's stable ascending sort by merit: the best is the last.
        for i in 1..<max(suggestions.count, 1) {
            var j = i
            while j > 0 && suggestions[j].merit < suggestions[j - 1].merit {
                suggestions.swapAt(j, j - 1)
                j -= 1
            }
        }
        var shouldSplit = false
        if suggestions.count < 2 {
            shouldSplit = !suggestions.isEmpty
        } else {
            let range = splitCriterion.rangeOfMerit(leaves[l].stats)
            let bound = (range * range * log(1.0 / splitConfidence) / (2.0 * leaves[l].totalWeight)).squareRoot()
            let best = suggestions[suggestions.count - 1], second = suggestions[suggestions.count - 2]
            shouldSplit = best.merit - second.merit > bound || bound < tieThreshold
        }
        guard shouldSplit else { return false }
        let decision = suggestions[suggestions.count - 1]
        var split = false
        if let feature = decision.feature {
            let depth = leaves[l].depth + 1
            leaves[l] = HoeffdingTreeLeaf(stats: decision.children[0], depth: depth)
            leaves.append(HoeffdingTreeLeaf(stats: decision.children[1], depth: depth))
            nodes.append(Node(leaf: l))
            nodes.append(Node(leaf: leaves.count - 1))
            nodes[node] = Node(leaf: -1, feature: feature, threshold: decision.threshold,
                               left: nodes.count - 2, right: nodes.count - 1)
            activeLeafCount += 1
            split = true
        } else {
            leaves[l].deactivate()
            inactiveLeafCount += 1
            activeLeafCount -= 1
        }
        enforceSizeLimit()
        return split
    }

    /// Leaf indices, left to right (River's `iter_leaves`).
    private func leavesInOrder() -> [Int] {
        var result = [Int]()
        var stack = [root]
        while let node = stack.popLast() {
            if nodes[node].leaf >= 0 { result.append(nodes[node].leaf) }
            else { stack.append(nodes[node].right); stack.append(nodes[node].left) }
        }
        return result
    }

    /// River's `_enforce_size_limit`: keep the most promising leaves active within the budget.
    private mutating func enforceSizeLimit() {
        let maxBytes = maxSizeMiB * 1_048_576
        let ordered = leavesInOrder().enumerated()
            .sorted { a, b in
                let pa = leaves[a.element].promise, pb = leaves[b.element].promise
                return pa < pb || (pa == pb && a.offset < b.offset)
            }
            .map(\.element)
        var maxActive = 0
        while maxActive < ordered.count {
            maxActive += 1
            let size = (Double(maxActive) * activeLeafSizeEstimate
                + Double(ordered.count - maxActive) * inactiveLeafSizeEstimate) * sizeEstimateOverheadFraction
            if size > maxBytes {
                maxActive -= 1
                break
            }
        }
        let cutoff = ordered.count - maxActive
        for (i, l) in ordered.enumerated() {
            if i < cutoff {
                if leaves[l].isActive {
                    leaves[l].deactivate()
                    inactiveLeafCount += 1
                    activeLeafCount -= 1
                }
            } else if !leaves[l].isActive && leaves[l].depth < depthLimit {
                leaves[l].activate()
                activeLeafCount += 1
                inactiveLeafCount -= 1
            }
        }
    }

    /// River's `_estimate_model_size`, with Eddy's byte counts.
    private mutating func estimateModelSize() {
        var activeBytes = 0, inactiveBytes = 0
        for l in leavesInOrder() {
            if leaves[l].isActive { activeBytes += leaves[l].estimatedBytes }
            else { inactiveBytes += leaves[l].estimatedBytes }
        }
        if activeBytes > 0 && activeLeafCount > 0 {
            activeLeafSizeEstimate = Double(activeBytes) / Double(activeLeafCount)
        }
        if inactiveBytes > 0 && inactiveLeafCount > 0 {
            inactiveLeafSizeEstimate = Double(inactiveBytes) / Double(inactiveLeafCount)
        }
        let actual = Double(activeBytes + inactiveBytes + nodes.count * MemoryLayout<Node>.stride + 256)
        let estimated = Double(activeLeafCount) * activeLeafSizeEstimate
            + Double(inactiveLeafCount) * inactiveLeafSizeEstimate
        if estimated > 0 { sizeEstimateOverheadFraction = actual / estimated }
        if actual > maxSizeMiB * 1_048_576 { enforceSizeLimit() }
    }

    // MARK: State

    private static let stateKind = "hoeffding-tree"

    /// The tree, its configuration and every leaf's observers as a versioned, checksummed blob.
    public func serialized() -> [UInt8] {
        var writer = StateWriter(kind: Self.stateKind, version: 1)
        IncrementalState.write(task, to: &writer)
        writer.write(gracePeriod)
        writer.write(maxDepth ?? -1)
        writer.write(splitCriterion.rawValue)
        writer.write(splitConfidence)
        writer.write(tieThreshold)
        writer.write(leafPrediction.rawValue)
        writer.write(naiveBayesThreshold)
        writer.write(splitCount)
        writer.write(maxShareToSplit)
        writer.write(maxSizeMiB)
        writer.write(memoryEstimatePeriod)
        writer.write(meritPreprune)
        writer.write(featureLimit)
        writer.write(rejectedEvents)
        writer.write(activeLeafCount)
        writer.write(inactiveLeafCount)
        writer.write(trainWeightSeen)
        writer.write(activeLeafSizeEstimate)
        writer.write(inactiveLeafSizeEstimate)
        writer.write(sizeEstimateOverheadFraction)
        writer.write(root >= 0)
        if root >= 0 { writeNode(root, to: &writer) }
        return writer.finish()
    }

    private func writeNode(_ node: Int, to writer: inout StateWriter) {
        let n = nodes[node]
        if n.leaf >= 0 {
            writer.write(UInt8(0))
            leaves[n.leaf].write(to: &writer)
        } else {
            writer.write(UInt8(1))
            writer.write(n.feature)
            writer.write(n.threshold)
            writeNode(n.left, to: &writer)
            writeNode(n.right, to: &writer)
        }
    }

    /// Restores a tree written by `serialized()`; a corrupted or truncated blob is refused.
    public init(restoring blob: [UInt8]) throws(StateError) {
        var reader = try StateReader(blob, kind: Self.stateKind, supported: 1...1)
        let task = try IncrementalState.readClassificationTask(from: &reader)
        let gracePeriod = try reader.readInt()
        let maxDepth = try reader.readInt()
        guard let criterion = SplitCriterion(rawValue: try reader.readUInt8()) else { throw .invalid("split criterion") }
        let confidence = try reader.readDouble()
        let tie = try reader.readDouble()
        guard let prediction = LeafPrediction(rawValue: try reader.readUInt8()) else { throw .invalid("leaf prediction") }
        let nbThreshold = try reader.readInt()
        let splitCount = try reader.readInt()
        let maxShare = try reader.readDouble()
        let maxSize = try reader.readDouble()
        let period = try reader.readInt()
        let preprune = try reader.readBool()
        let featureLimit = try reader.readInt()
        guard featureLimit > 0, featureLimit <= Int(Int32.max), gracePeriod > 0, maxDepth >= -1, confidence > 0, confidence < 1, splitCount > 0,
              splitCount < 1 << 20, period > 0 else { throw .invalid("tree configuration out of range") }
        self.init(task: task, gracePeriod: gracePeriod, maxDepth: maxDepth < 0 ? nil : maxDepth,
                  splitCriterion: criterion, splitConfidence: confidence, tieThreshold: tie,
                  leafPrediction: prediction, naiveBayesThreshold: nbThreshold, splitCount: splitCount,
                  maxShareToSplit: maxShare, maxSizeMiB: maxSize, memoryEstimatePeriod: period,
                  meritPreprune: preprune, featureLimit: featureLimit)
        rejectedEvents = try reader.readInt()
        activeLeafCount = try reader.readInt()
        inactiveLeafCount = try reader.readInt()
        trainWeightSeen = try reader.readDouble()
        activeLeafSizeEstimate = try reader.readDouble()
        inactiveLeafSizeEstimate = try reader.readDouble()
        sizeEstimateOverheadFraction = try reader.readDouble()
        if try reader.readBool() {
            root = try readNode(from: &reader, depth: 0)
        }
        var active = 0
        for leaf in leaves where leaf.isActive { active += 1 }
        guard active == activeLeafCount, leaves.count - active == inactiveLeafCount else {
            throw .invalid("leaf counts disagree with the tree")
        }
        try reader.finish()
    }

    private mutating func readNode(from reader: inout StateReader, depth: Int) throws(StateError) -> Int {
        guard depth < 10_000 else { throw .invalid("tree deeper than 10000") }
        let index = nodes.count
        switch try reader.readUInt8() {
        case 0:
            let leaf = try HoeffdingTreeLeaf.read(from: &reader, classes: task.outputCount, featureLimit: featureLimit)
            guard leaf.depth == depth else { throw .invalid("leaf depth \(leaf.depth) at depth \(depth)") }
            leaves.append(leaf)
            nodes.append(Node(leaf: leaves.count - 1))
        case 1:
            let feature = try reader.readInt()
            let threshold = try reader.readDouble()
            guard feature >= 0, feature < featureLimit else { throw .invalid("split feature \(feature)") }
            nodes.append(Node(leaf: -1, feature: feature, threshold: threshold))
            let left = try readNode(from: &reader, depth: depth + 1)
            let right = try readNode(from: &reader, depth: depth + 1)
            nodes[index].left = left
            nodes[index].right = right
        case let tag:
            throw .invalid("node tag \(tag)")
        }
        return index
    }
}
