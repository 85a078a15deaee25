import EddyFeatures

/// Why a learner refused an event before it could touch the model state.
///
/// ```swift
/// var model = GaussianNaiveBayes(task: .binary)
/// do { try model.validatedLearn(FeatureVector(dense: [.nan]), label: 1) }
/// catch let error as LearnerInputError { print(error) } // feature 0 is NaN ...
/// ```
public enum LearnerInputError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A feature value is NaN or infinite.
    case nonFiniteFeature(position: Int, value: Double)
    /// The label is not a class index of the learner's task.
    case invalidLabel(Double, task: LearningTask)
    /// A feature position at or beyond the learner's `featureLimit` (its per-feature tables
    /// are indexed by position).
    case featurePositionOutOfRange(position: Int, limit: Int)

    public var description: String {
        switch self {
        case .nonFiniteFeature(let position, let value):
            "feature \(position) is \(value); the event was not learned: clean or impute the input"
        case .invalidLabel(let label, let task):
            "label \(label) is not a class of \(task) (expected an integer in 0..<\(task.outputCount)); the event was not learned"
        case .featurePositionOutOfRange(let position, let limit):
            "feature position \(position) is beyond the learner's limit of \(limit) positions; the event was not learned: hash into fewer buckets or raise featureLimit"
        }
    }

    /// Checks an event for a classifier of `task` whose feature positions must stay below
    /// `featureLimit`; nil when it may be learned.
    static func check(_ x: FeatureVector, label: Double, task: LearningTask, featureLimit: Int) -> LearnerInputError? {
        if let bad = x.firstNonFinite { return .nonFiniteFeature(position: bad.position, value: bad.value) }
        if x.isDense {
            if x.count > featureLimit { return .featurePositionOutOfRange(position: x.count - 1, limit: featureLimit) }
        } else {
            for i in x.indices where i < 0 || Int(i) >= featureLimit {
                return .featurePositionOutOfRange(position: Int(i), limit: featureLimit)
            }
        }
        guard label >= 0, label < Double(task.outputCount), label.rounded(.towardZero) == label else {
            return .invalidLabel(label, task: task)
        }
        return nil
    }
}
