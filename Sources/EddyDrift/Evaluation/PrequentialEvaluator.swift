import EddyFeatures
import EddyLearn

/// Test-then-train evaluation of any learner, as River's `evaluate.progressive_val_score`:
/// for each event predict, score the prediction, then learn; every `snapshotEvery` events
/// (and at the end) a snapshot of the cumulative and, optionally, rolling metrics.
///
/// ```swift
/// var evaluator = PrequentialEvaluator(learner: model, snapshotEvery: 1000, window: 500)
/// let snapshots = evaluator.run(rows)            // rows: [(x: FeatureVector, y: Double)]
/// print(evaluator.snapshot.cumulative)          // final figures
/// ```
public struct PrequentialEvaluator<L: Learner>: Sendable {
    public private(set) var learner: L
    public private(set) var cumulative: MetricSuite
    public private(set) var rolling: MetricSuite?
    /// Events between snapshots.
    public let snapshotEvery: Int
    /// Events processed so far.
    public private(set) var events = 0
    private var output: [Double]

    public init(learner: L, snapshotEvery: Int = 1000, window: Int? = nil) {
        precondition(snapshotEvery >= 1, "snapshots come every one or more events")
        self.learner = learner
        self.snapshotEvery = snapshotEvery
        cumulative = MetricSuite(task: learner.task)
        rolling = window.map { MetricSuite(task: learner.task, window: $0) }
        output = [Double](repeating: 0, count: learner.task.outputCount)
    }

    /// Predicts, scores and learns one event; returns a snapshot when one is due.
    @discardableResult
    public mutating func process(_ x: FeatureVector, label: Double) -> MetricSnapshot? {
        learner.predict(x, into: &output)
        let scored = ScoredEvent(truth: label, output: output, task: cumulative.task)
        cumulative.update(scored)
        rolling?.update(scored)
        learner.learn(x, label: label)
        events += 1
        return events % snapshotEvery == 0 ? snapshot : nil
    }

    /// Processes every row and returns the snapshots, the last one taken after the final event.
    public mutating func run<S: Sequence>(_ rows: S) -> [MetricSnapshot] where S.Element == (x: FeatureVector, y: Double) {
        var snapshots: [MetricSnapshot] = []
        for row in rows {
            if let s = process(row.x, label: row.y) { snapshots.append(s) }
        }
        if snapshots.last?.events != events { snapshots.append(snapshot) }
        return snapshots
    }

    /// The metrics now.
    public var snapshot: MetricSnapshot {
        MetricSnapshot(events: events, cumulative: cumulative.values, rolling: rolling?.values ?? [])
    }
}

/// The metrics after `events` events: cumulative, and rolling when a window was asked for.
///
/// ```swift
/// for s in snapshots { print(s.events, s.cumulative.first!.value) }
/// ```
public struct MetricSnapshot: Sendable, Equatable {
    public let events: Int
    public let cumulative: [MetricValue]
    public let rolling: [MetricValue]
}
