import EddyLearn

/// One event's prediction as a `MetricSuite` reads it: the predicted value or class, the
/// probability of class 1 and the log-loss (binary). Made once per event and given to every
/// suite that follows the same predictions (a pipeline's rolling and cumulative suites), so the
/// loss's logarithm is taken once.
///
/// ```swift
/// let scored = ScoredEvent(truth: 1, output: [0.3, 0.7], task: .binary)
/// rolling.update(scored)
/// cumulative.update(scored)
/// ```
public struct ScoredEvent: Sendable {
    public let truth: Double
    /// The regressor's value, or the class with the highest probability.
    public let prediction: Double
    /// P(class 1) for a binary task, else 0.
    public let probability: Double
    /// The binary log-loss of `probability` against `truth`, else 0.
    public let loss: Double

    /// `output` is what `Learner.predict` wrote: class probabilities, or `[value]`.
    public init(truth: Double, output: [Double], task: LearningTask) {
        self.truth = truth
        if case .regression = task {
            prediction = output[0]
            probability = 0
            loss = 0
            return
        }
        var best = 0
        for k in 1..<output.count where output[k] > output[best] { best = k }
        prediction = Double(best)
        let binary = task == .binary
        probability = binary ? output[1] : 0
        loss = binary ? LogLoss.loss(truth: truth, prediction: probability) : 0
    }
}
