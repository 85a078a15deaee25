import EddyCodec
import Testing
@testable import EddyDrift

/// River 0.26.1's metric values, written by ops/fixtures/metrics_reference.py.
struct MetricsReference: Decodable, Sendable {
    struct Sequence: Decodable, Sendable {
        let truths: [Double]
        let predictions: [Double]
    }
    struct Case: Decodable, Sendable, CustomTestStringConvertible {
        let metric: String
        let sequence: String
        let window: Int
        let values: [Double]
        var testDescription: String { "\(metric) on \(sequence)\(window > 0 ? " rolling \(window)" : "")" }
    }
    let river: String
    let every: Int
    let sequences: [String: Sequence]
    let cases: [Case]
    let confusion_multiclass: [[Double]]

    static let shared: MetricsReference = try! Fixture.load("metrics_reference", as: MetricsReference.self)
}

/// The metric of a fixture case, cumulative or rolling.
func makeMetric(_ name: String, window: Int) -> any Metric {
    func wrap<M: Metric>(_ m: M) -> any Metric { window > 0 ? Rolling(m, windowSize: window) : m }
    switch name {
    case "accuracy": return wrap(Accuracy())
    case "precision": return wrap(Precision())
    case "recall": return wrap(Recall())
    case "f1": return wrap(F1())
    case "macro_precision": return wrap(MacroPrecision())
    case "macro_recall": return wrap(MacroRecall())
    case "macro_f1": return wrap(MacroF1())
    case "log_loss": return wrap(LogLoss())
    case "roc_auc": return wrap(ROCAUC())
    case "mae": return wrap(MAE())
    case "rmse": return wrap(RMSE())
    case "r2": return wrap(R2())
    default: fatalError("no metric \(name)")
    }
}

@Suite struct MetricParityTests {
    @Test(arguments: MetricsReference.shared.cases)
    func valuesEqualRiversEvery25Events(_ reference: MetricsReference.Case) {
        let sequence = MetricsReference.shared.sequences[reference.sequence]!
        var metric = makeMetric(reference.metric, window: reference.window)
        var values: [Double] = []
        for i in 0..<sequence.truths.count {
            metric.update(truth: sequence.truths[i], prediction: sequence.predictions[i])
            if (i + 1) % MetricsReference.shared.every == 0 { values.append(metric.value) }
        }
        #expect(values.count == reference.values.count)
        for (mine, river) in zip(values, reference.values) {
            #expect(abs(mine - river) <= 1e-9, "\(mine) vs River \(river)")
        }
    }

    @Test(arguments: MetricsReference.shared.cases)
    func serialiseRestoreAndContinueGivesTheSameValue(_ reference: MetricsReference.Case) throws {
        let sequence = MetricsReference.shared.sequences[reference.sequence]!
        var whole = makeMetric(reference.metric, window: reference.window)
        var first = makeMetric(reference.metric, window: reference.window)
        let cut = sequence.truths.count / 3
        for i in 0..<sequence.truths.count {
            whole.update(truth: sequence.truths[i], prediction: sequence.predictions[i])
            if i < cut { first.update(truth: sequence.truths[i], prediction: sequence.predictions[i]) }
        }
        var restored = try type(of: first).init(state: first.serialized())
        #expect(restored.serialized() == first.serialized())
        for i in cut..<sequence.truths.count {
            restored.update(truth: sequence.truths[i], prediction: sequence.predictions[i])
        }
        #expect(restored.value == whole.value)
        #expect(restored.biggerIsBetter == whole.biggerIsBetter)
    }

    @Test func confusionMatrixCountsEqualRivers() throws {
        let sequence = MetricsReference.shared.sequences["multiclass"]!
        var cm = ConfusionMatrix()
        for i in 0..<sequence.truths.count { cm.update(truth: sequence.truths[i], prediction: sequence.predictions[i]) }
        #expect(cm.classes == [0, 1, 2])
        for r in 0..<3 {
            for c in 0..<3 { #expect(cm[r, c] == MetricsReference.shared.confusion_multiclass[r][c]) }
        }
        #expect(try ConfusionMatrix(state: cm.serialized()) == cm)
        #expect(throws: StateError.self) { _ = try ConfusionMatrix(state: Array(cm.serialized().dropLast())) }
    }

    @Test func directionOfEachMetric() {
        #expect(Accuracy().biggerIsBetter && F1().biggerIsBetter && ROCAUC().biggerIsBetter && R2().biggerIsBetter)
        #expect(!MAE().biggerIsBetter && !RMSE().biggerIsBetter && !LogLoss().biggerIsBetter)
        #expect(LogLoss().needsProbability && ROCAUC().needsProbability && !Accuracy().needsProbability)
    }

    @Test func rocAUCCountsTiesAsHalf() {
        var auc = ROCAUC()
        for (y, p) in [(1.0, 0.5), (0.0, 0.5), (1.0, 0.9), (0.0, 0.1)] { auc.update(truth: y, prediction: p) }
        // pairs: (0.5 vs 0.5) tie = 1/2, three others correct -> 3.5 / 4
        #expect(auc.value == 0.875)
    }
}
