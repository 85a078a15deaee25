import EddyFeatures

/// What a learner predicts.
///
/// ```swift
/// let task = LearningTask.multiclass(classes: 3)
/// task.outputCount // 3
/// ```
public enum LearningTask: Sendable, Equatable, Hashable {
    /// Two classes, labelled 0 and 1.
    case binary
    /// `classes` classes, labelled 0 ..< classes.
    case multiclass(classes: Int)
    /// A real-valued target.
    case regression

    /// How many numbers `Learner.predict(_:into:)` writes: class probabilities for a
    /// classifier (2 for binary), one value for a regressor.
    public var outputCount: Int {
        switch self {
        case .binary: 2
        case .multiclass(let classes): classes
        case .regression: 1
        }
    }
}

/// The one protocol every learner follows, whether it learns by gradient (through a
/// `GradientTape`) or incrementally (naive Bayes, Hoeffding tree). The pipeline holds any
/// learner through it and runs it prequentially: predict first, then learn.
///
/// Labels are `Double`s: 0/1 for binary, the class index for multiclass, the value for
/// regression.
///
/// ```swift
/// var model = SomeLearner(...)
/// var proba = [Double](repeating: 0, count: model.task.outputCount)
/// model.predict(x, into: &proba)  // test ...
/// model.learn(x, label: y)        // ... then train
/// ```
public protocol Learner: Sendable {
    /// What this learner predicts.
    var task: LearningTask { get }

    /// Writes the prediction for `x` into `output` (resized to `task.outputCount` if needed):
    /// class probabilities summing to 1 for a classifier, `[value]` for a regressor.
    func predict(_ x: FeatureVector, into output: inout [Double])

    /// Learns from one labelled event.
    mutating func learn(_ x: FeatureVector, label: Double)

    /// Learns from a micro-batch of labelled events.
    mutating func learn(batch: [FeatureVector], labels: [Double])
}

extension Learner {
    /// Learns from each event in turn; learners with a true batch update override this.
    public mutating func learn(batch: [FeatureVector], labels: [Double]) {
        precondition(batch.count == labels.count, "batch and labels differ in length")
        for i in 0..<batch.count { learn(batch[i], label: labels[i]) }
    }

    /// The predicted label: the most probable class, or the regressor's value.
    public func predictLabel(_ x: FeatureVector) -> Double {
        var output = [Double](repeating: 0, count: task.outputCount)
        predict(x, into: &output)
        if case .regression = task { return output[0] }
        var best = 0
        for k in 1..<output.count where output[k] > output[best] { best = k }
        return Double(best)
    }
}
