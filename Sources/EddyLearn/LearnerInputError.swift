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

    public var description: String {
        switch self {
        case .nonFiniteFeature(let position, let value):
            "feature \(position) is \(value); the event was not learned: clean or impute the input"
        case .invalidLabel(let label, let task):
            "label \(label) is not a class of \(task) (expected an integer in 0..<\(task.outputCount)); the event was not learned"
        }
    }

    /// Checks an event for a classifier with `classes` classes; nil when it may be learned.
    static func check(_ x: FeatureVector, label: Double, task: LearningTask) -> LearnerInputError? {
        if let bad = x.firstNonFinite { return .nonFiniteFeature(position: bad.position, value: bad.value) }
        guard label >= 0, label < Double(task.outputCount), label.rounded(.towardZero) == label else {
            return .invalidLabel(label, task: task)
        }
        return nil
    }
}
