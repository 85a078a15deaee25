import EddyLearn

/// The standard metrics for a learning task, updated together from a learner's output:
/// accuracy, macro precision/recall/F1 (plus binary F1, log-loss and ROC AUC for two
/// classes) for classifiers; MAE, RMSE and R² for regressors. With `window`, every metric
/// covers only the last `window` events (`Rolling`). Concrete fields, no existential boxes.
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
    var accuracy: Rolling<Accuracy>?
    var macroPrecision: Rolling<MacroPrecision>?
    var macroRecall: Rolling<MacroRecall>?
    var macroF1: Rolling<MacroF1>?
    var f1: Rolling<F1>?
    var logLoss: Rolling<LogLoss>?
    var rocAUC: Rolling<ROCAUC>?
    var mae: Rolling<MAE>?
    var rmse: Rolling<RMSE>?
    var r2: Rolling<R2>?
    var cumulative: Cumulative

    /// Cumulative metrics are held directly, rolling ones wrapped.
    struct Cumulative: Sendable {
        var accuracy = Accuracy(), macroPrecision = MacroPrecision(), macroRecall = MacroRecall(), macroF1 = MacroF1()
        var f1 = F1(), logLoss = LogLoss(), rocAUC = ROCAUC(), mae = MAE(), rmse = RMSE(), r2 = R2()
    }

    public init(task: LearningTask, window: Int? = nil, cumulativeAUC: Bool = true) {
        precondition(window.map { $0 >= 1 } ?? true, "a rolling window holds at least one event")
        self.task = task
        self.window = window
        self.cumulativeAUC = cumulativeAUC
        cumulative = Cumulative()
        if let w = window {
            switch task {
            case .regression:
                mae = Rolling(MAE(), windowSize: w)
                rmse = Rolling(RMSE(), windowSize: w)
                r2 = Rolling(R2(), windowSize: w)
            case .binary, .multiclass:
                accuracy = Rolling(Accuracy(), windowSize: w)
                macroPrecision = Rolling(MacroPrecision(), windowSize: w)
                macroRecall = Rolling(MacroRecall(), windowSize: w)
                macroF1 = Rolling(MacroF1(), windowSize: w)
                if task == .binary {
                    f1 = Rolling(F1(), windowSize: w)
                    logLoss = Rolling(LogLoss(), windowSize: w)
                    rocAUC = Rolling(ROCAUC(), windowSize: w)
                }
            }
        }
    }

    /// Scores one event: `output` is what `Learner.predict` wrote (class probabilities, or `[value]`).
    public mutating func update(truth: Double, output: [Double]) {
        if case .regression = task {
            let value = output[0]
            if window == nil {
                cumulative.mae.update(truth: truth, prediction: value)
                cumulative.rmse.update(truth: truth, prediction: value)
                cumulative.r2.update(truth: truth, prediction: value)
            } else {
                mae!.update(truth: truth, prediction: value)
                rmse!.update(truth: truth, prediction: value)
                r2!.update(truth: truth, prediction: value)
            }
            return
        }
        var best = 0
        for k in 1..<output.count where output[k] > output[best] { best = k }
        let label = Double(best)
        if window == nil {
            cumulative.accuracy.update(truth: truth, prediction: label)
            cumulative.macroPrecision.update(truth: truth, prediction: label)
            cumulative.macroRecall.update(truth: truth, prediction: label)
            cumulative.macroF1.update(truth: truth, prediction: label)
            if task == .binary {
                cumulative.f1.update(truth: truth, prediction: label)
                cumulative.logLoss.update(truth: truth, prediction: output[1])
                if cumulativeAUC { cumulative.rocAUC.update(truth: truth, prediction: output[1]) }
            }
        } else {
            accuracy!.update(truth: truth, prediction: label)
            macroPrecision!.update(truth: truth, prediction: label)
            macroRecall!.update(truth: truth, prediction: label)
            macroF1!.update(truth: truth, prediction: label)
            if task == .binary {
                f1!.update(truth: truth, prediction: label)
                logLoss!.update(truth: truth, prediction: output[1])
                rocAUC!.update(truth: truth, prediction: output[1])
            }
        }
    }

    /// Every metric's name and current value, in a fixed order.
    public var values: [MetricValue] {
        let c = cumulative
        let rolling = window != nil
        switch task {
        case .regression:
            return [MetricValue("mae", rolling ? mae!.value : c.mae.value),
                    MetricValue("rmse", rolling ? rmse!.value : c.rmse.value),
                    MetricValue("r2", rolling ? r2!.value : c.r2.value)]
        case .binary, .multiclass:
            var out = [MetricValue("accuracy", rolling ? accuracy!.value : c.accuracy.value),
                       MetricValue("macro_precision", rolling ? macroPrecision!.value : c.macroPrecision.value),
                       MetricValue("macro_recall", rolling ? macroRecall!.value : c.macroRecall.value),
                       MetricValue("macro_f1", rolling ? macroF1!.value : c.macroF1.value)]
            if task == .binary {
                out += [MetricValue("f1", rolling ? f1!.value : c.f1.value),
                        MetricValue("log_loss", rolling ? logLoss!.value : c.logLoss.value)]
                if rolling || cumulativeAUC {
                    out.append(MetricValue("roc_auc", rolling ? rocAUC!.value : c.rocAUC.value))
                }
            }
            return out
        }
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
