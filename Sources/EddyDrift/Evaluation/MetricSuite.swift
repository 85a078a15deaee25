import EddyLearn

/// The standard metrics for a learning task, updated together from a learner's output:
/// accuracy, macro precision/recall/F1 (plus binary F1, log-loss and ROC AUC for two
/// classes) for classifiers; MAE, RMSE and R² for regressors. With `window`, every metric
/// covers only the last `window` events (as River's `utils.Rolling`).
///
/// One event costs one confusion-matrix update (River's classification metrics share one
/// `cm` the same way), not one per metric; a rolling suite keeps a single window of
/// (truth, prediction, probability) for all its metrics and computes ROC AUC from it when
/// read. Values are computed on read, from the same metric types one would keep separately.
///
/// ```swift
/// var suite = MetricSuite(task: .binary)
/// suite.update(truth: 1, output: [0.3, 0.7])   // class probabilities from Learner.predict
/// suite.values  // [("accuracy", 1.0), ("f1", 1.0), ...]
/// ```
public struct MetricSuite: Sendable {
    public let task: LearningTask
    public let window: Int?
    /// Whether a cumulative suite computes ROC AUC, which keeps every score it has seen: fine
    /// over a file, unbounded over an endless stream (a long-lived pipeline keeps it rolling only).
    public let cumulativeAUC: Bool
    /// Accuracy, macro precision/recall/F1 and F1 all read this one matrix.
    var matrix = ConfusionMatrix()
    var logLoss = LogLoss()
    /// A cumulative suite's ROC AUC (a rolling one reads its window instead).
    var rocAUC = ROCAUC()
    var mae = MAE(), rmse = RMSE(), r2 = R2()
    /// The last `window` events of a rolling suite, reverted from the metrics as they leave it.
    var recent: EventWindow?

    public init(task: LearningTask, window: Int? = nil, cumulativeAUC: Bool = true) {
        precondition(window.map { $0 >= 1 } ?? true, "a rolling window holds at least one event")
        self.task = task
        self.window = window
        self.cumulativeAUC = cumulativeAUC
        recent = window.map { EventWindow(capacity: $0, keepsProbabilities: task == .binary) }
    }

    /// Whether this suite keeps a cumulative ROC AUC.
    var keepsCumulativeAUC: Bool { task == .binary && window == nil && cumulativeAUC }

    /// Scores one event: `output` is what `Learner.predict` wrote (class probabilities, or `[value]`).
    public mutating func update(truth: Double, output: [Double]) {
        update(ScoredEvent(truth: truth, output: output, task: task))
    }

    /// Scores one event scored once for several suites (see `ScoredEvent`).
    public mutating func update(_ event: ScoredEvent) {
        let truth = event.truth
        if case .regression = task {
            let value = event.prediction
            if let old = recent?.push(truth: truth, prediction: value, probability: 0, loss: 0) {
                mae.revert(truth: old.truth, prediction: old.prediction)
                rmse.revert(truth: old.truth, prediction: old.prediction)
                r2.revert(truth: old.truth, prediction: old.prediction)
            }
            mae.update(truth: truth, prediction: value)
            rmse.update(truth: truth, prediction: value)
            r2.update(truth: truth, prediction: value)
            return
        }
        let label = event.prediction, probability = event.probability, loss = event.loss
        let binary = task == .binary
        // LogLoss.update and revert, with the loss computed once and kept in the window.
        if let old = recent?.push(truth: truth, prediction: label, probability: probability, loss: loss) {
            matrix.revert(truth: old.truth, prediction: old.prediction)
            if binary { logLoss.mean.revert(old.loss) }
        }
        matrix.update(truth: truth, prediction: label)
        if binary {
            logLoss.mean.update(loss)
            if keepsCumulativeAUC { rocAUC.update(truth: truth, prediction: probability) }
        }
    }

    /// Every metric's name and current value, in a fixed order.
    public var values: [MetricValue] {
        names.map { MetricValue($0, value(named: $0)!) }
    }

    /// The names of the suite's metrics, in the order `values` lists them.
    public var names: [String] {
        switch task {
        case .regression: return ["mae", "rmse", "r2"]
        case .multiclass: return ["accuracy", "macro_precision", "macro_recall", "macro_f1"]
        case .binary:
            let auc = recent != nil || cumulativeAUC ? ["roc_auc"] : []
            return ["accuracy", "macro_precision", "macro_recall", "macro_f1", "f1", "log_loss"] + auc
        }
    }

    /// One metric's current value, computed alone (a rolling ROC AUC sorts its window, so
    /// read it only when it is wanted); nil for a name not in `names`.
    public func value(named name: String) -> Double? {
        switch (task, name) {
        case (.regression, "mae"): mae.value
        case (.regression, "rmse"): rmse.value
        case (.regression, "r2"): r2.value
        case (.regression, _): nil
        case (_, "accuracy"): value(of: Accuracy.self)
        case (_, "macro_precision"): value(of: MacroPrecision.self)
        case (_, "macro_recall"): value(of: MacroRecall.self)
        case (_, "macro_f1"): value(of: MacroF1.self)
        case (.binary, "f1"): value(of: F1.self)
        case (.binary, "log_loss"): logLoss.value
        case (.binary, "roc_auc"): recent.map { Self.rocAUC(of: $0).value } ?? (cumulativeAUC ? rocAUC.value : nil)
        default: nil
        }
    }

    /// A confusion-matrix metric's value over the suite's shared matrix.
    private func value<M: ConfusionMetric>(of _: M.Type) -> Double {
        var metric = M()
        metric.matrix = matrix
        return metric.value
    }

    /// ROC AUC over the (truth, probability) pairs of a window.
    private static func rocAUC(of window: EventWindow) -> ROCAUC {
        var auc = ROCAUC()
        for i in 0..<window.count {
            let slot = window.slot(i)
            auc.update(truth: window.truths[slot], prediction: window.probabilities[slot])
        }
        return auc
    }
}

/// One metric's name and value in a snapshot.
///
/// ```swift
/// let v = MetricValue("accuracy", 0.93)
/// print("\(v.name)=\(v.value)")
/// ```
public struct MetricValue: Sendable, Equatable {
    public let name: String
    public let value: Double
    public init(_ name: String, _ value: Double) {
        self.name = name
        self.value = value
    }
}
