import EddyCodec

/// River's `GaussianSplitter`: the numeric attribute observer of a Hoeffding tree leaf. For one
/// feature it keeps, per class, a running normal distribution and the smallest and largest
/// value seen; split candidates are `splitCount` evenly spaced thresholds between the overall
/// minimum and maximum, and the class weights on each side come from the distribution functions.
struct GaussianSplitter: Sendable, Equatable {
    /// Classes in the order this feature first saw them.
    private(set) var classOrder: [Int] = []
    private(set) var estimators: [GaussianEstimator]
    private var minimum: [Double]
    private var maximum: [Double]

    init(classes: Int) {
        estimators = [GaussianEstimator](repeating: GaussianEstimator(ddof: 1), count: classes)
        minimum = [Double](repeating: 0, count: classes)
        maximum = [Double](repeating: 0, count: classes)
    }

    mutating func update(_ value: Double, class c: Int, weight: Double) {
        if estimators[c].count > 0 {  // weights are positive: a seen class has a count
            if value < minimum[c] { minimum[c] = value }
            if value > maximum[c] { maximum[c] = value }
        } else {
            classOrder.append(c)
            minimum[c] = value
            maximum[c] = value
        }
        estimators[c].update(value, weight: weight)
    }

    /// Adds log p(value | class) to `votes[class]` for every class in `classes` with positive
    /// weight, skipping classes whose log-density is -infinity (unseen here, or no variance
    /// yet), as River's naive Bayes does.
    func addLogDensities(of value: Double, classes: [Int], weights: [Double], to votes: inout [Double]) {
        estimators.withUnsafeBufferPointer { estimators in
            for c in classes where weights[c] > 0 && estimators[c].count > 0 {
                let logP = estimators[c].logPdf(value)
                if logP > -.infinity { votes[c] += logP }
            }
        }
    }

    /// The best binary split on this feature; the null suggestion when no threshold qualifies.
    func bestSplit(criterion: SplitCriterion, preSplit: ClassDistribution, feature: Int,
                   splitCount: Int) -> SplitSuggestion {
        var best = SplitSuggestion.null
        var low = Double.infinity
        var high = -Double.infinity
        for c in classOrder {
            if minimum[c] < low { low = minimum[c] }
            if maximum[c] > high { high = maximum[c] }
        }
        guard low < .infinity else { return best }
        var binSize = high - low
        binSize /= Double(splitCount) + 1.0
        for i in 0..<splitCount {
            let threshold = low + binSize * Double(i + 1)
            guard low < threshold, threshold < high else { continue }
            let children = classDistributions(splittingAt: threshold)
            let merit = criterion.merit(preSplit: preSplit, postSplit: children)
            if merit > best.merit {
                best = SplitSuggestion(merit: merit, feature: feature, threshold: threshold, children: children)
            }
        }
        return best
    }

    private func classDistributions(splittingAt threshold: Double) -> [ClassDistribution] {
        let classes = estimators.count
        var left = ClassDistribution(classes: classes)
        var right = ClassDistribution(classes: classes)
        for c in classOrder {
            let n = estimators[c].count
            if threshold < minimum[c] {
                right.set(c, n)
            } else if threshold >= maximum[c] {
                left.set(c, n)
            } else {
                let lhs = estimators[c].cdf(threshold) * n
                left.set(c, lhs)
                right.set(c, n - lhs)
            }
        }
        return [left, right]
    }

    func write(to writer: inout StateWriter) {
        writer.write(classOrder)
        for c in classOrder {
            estimators[c].write(to: &writer)
            writer.write(minimum[c])
            writer.write(maximum[c])
        }
    }

    static func read(from reader: inout StateReader, classes: Int) throws(StateError) -> GaussianSplitter {
        var s = GaussianSplitter(classes: classes)
        s.classOrder = try IncrementalState.readClassOrder(from: &reader, classes: classes)
        for c in s.classOrder {
            s.estimators[c] = try GaussianEstimator.read(from: &reader, ddof: 1)
            s.minimum[c] = try reader.readDouble()
            s.maximum[c] = try reader.readDouble()
        }
        return s
    }
}

/// A candidate split of a leaf (River's `BranchFactory`): the null suggestion (no feature,
/// merit -infinity) stands for "do not split".
struct SplitSuggestion: Sendable {
    var merit: Double
    var feature: Int?
    var threshold: Double
    var children: [ClassDistribution]

    static let null = SplitSuggestion(merit: -.infinity, feature: nil, threshold: 0, children: [])
}
