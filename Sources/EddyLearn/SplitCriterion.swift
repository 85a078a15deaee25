#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How a Hoeffding tree scores a candidate split, as River's `InfoGainSplitCriterion` and
/// `GiniSplitCriterion`.
///
/// ```swift
/// let tree = HoeffdingTreeClassifier(task: .binary, splitCriterion: .gini)
/// ```
public enum SplitCriterion: UInt8, Sendable, Equatable {
    /// Reduction of entropy (bits); the merit's range is log2 of the number of classes.
    case infoGain = 0
    /// Reduction of Gini impurity; the merit's range is 1.
    case gini = 1

    /// Branches holding no more than this fraction of the weight do not count (River's
    /// `min_branch_fraction`, 0.01).
    static let minBranchFraction = 0.01

    func merit(preSplit: ClassDistribution, postSplit: [ClassDistribution]) -> Double {
        guard Self.subsetsAboveMinimumFraction(postSplit) >= 2 else { return -.infinity }
        switch self {
        case .infoGain:
            return Self.entropy(preSplit) - Self.entropy(postSplit)
        case .gini:
            var total = 0.0
            var weights = [Double](repeating: 0, count: postSplit.count)
            for i in 0..<postSplit.count {
                weights[i] = postSplit[i].total
                total += weights[i]
            }
            var gini = 0.0
            for i in 0..<postSplit.count {
                gini += (weights[i] / total) * Self.gini(postSplit[i], total: weights[i])
            }
            return 1.0 - gini
        }
    }

    func rangeOfMerit(_ preSplit: ClassDistribution) -> Double {
        switch self {
        case .infoGain: log2(Double(max(preSplit.order.count, 2)))
        case .gini: 1.0
        }
    }

    private static func subsetsAboveMinimumFraction(_ distributions: [ClassDistribution]) -> Int {
        var total = 0.0
        var sums = [Double](repeating: 0, count: distributions.count)
        for i in 0..<distributions.count {
            sums[i] = distributions[i].total
            total += sums[i]
        }
        var count = 0
        if total > 0 {
            for d in sums where d / total > minBranchFraction { count += 1 }
        }
        return count
    }

    private static func entropy(_ distribution: ClassDistribution) -> Double {
        var entropy = 0.0
        var sum = 0.0
        for c in distribution.order {
            let d = distribution.weights[c]
            if d > 0.0 {
                entropy -= d * log2(d)
                sum += d
            }
        }
        return sum > 0.0 ? (entropy + sum * log2(sum)) / sum : 0.0
    }

    private static func entropy(_ distributions: [ClassDistribution]) -> Double {
        var total = 0.0
        var weights = [Double](repeating: 0, count: distributions.count)
        for i in 0..<distributions.count {
            weights[i] = distributions[i].total
            total += weights[i]
        }
        var entropy = 0.0
        for i in 0..<distributions.count { entropy += weights[i] * Self.entropy(distributions[i]) }
        return entropy / total
    }

    private static func gini(_ distribution: ClassDistribution, total: Double) -> Double {
        var gini = 1.0
        if total != 0.0 {
            for c in distribution.order {
                let relative = distribution.weights[c] / total
                gini -= relative * relative
            }
        }
        return gini
    }
}
