@testable import EddyDrift
import EddyCodec
import EddyLearn
import Testing

/// SplitMix64: a small seeded generator, so the sequences are the same on every run.
private struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The suite's metrics kept one by one, each in its own `Rolling` when windowed: what the
/// suite computed before it shared one matrix and one window.
private struct SeparateMetrics {
    let task: LearningTask
    var accuracy: Rolling<Accuracy>, macroPrecision: Rolling<MacroPrecision>, macroRecall: Rolling<MacroRecall>
    var macroF1: Rolling<MacroF1>, f1: Rolling<F1>, logLoss: Rolling<LogLoss>, rocAUC: Rolling<ROCAUC>
    var mae: Rolling<MAE>, rmse: Rolling<RMSE>, r2: Rolling<R2>

    /// A window longer than the stream makes a metric cumulative.
    init(task: LearningTask, window: Int) {
        self.task = task
        accuracy = Rolling(Accuracy(), windowSize: window)
        macroPrecision = Rolling(MacroPrecision(), windowSize: window)
        macroRecall = Rolling(MacroRecall(), windowSize: window)
        macroF1 = Rolling(MacroF1(), windowSize: window)
        f1 = Rolling(F1(), windowSize: window)
        logLoss = Rolling(LogLoss(), windowSize: window)
        rocAUC = Rolling(ROCAUC(), windowSize: window)
        mae = Rolling(MAE(), windowSize: window)
        rmse = Rolling(RMSE(), windowSize: window)
        r2 = Rolling(R2(), windowSize: window)
    }

    mutating func update(truth: Double, output: [Double]) {
        if task == .regression {
            mae.update(truth: truth, prediction: output[0])
            rmse.update(truth: truth, prediction: output[0])
            r2.update(truth: truth, prediction: output[0])
            return
        }
        let label = Double(output.indices.max { output[$0] < output[$1] }!)
        accuracy.update(truth: truth, prediction: label)
        macroPrecision.update(truth: truth, prediction: label)
        macroRecall.update(truth: truth, prediction: label)
        macroF1.update(truth: truth, prediction: label)
        if task == .binary {
            f1.update(truth: truth, prediction: label)
            logLoss.update(truth: truth, prediction: output[1])
            rocAUC.update(truth: truth, prediction: output[1])
        }
    }

    func values(withAUC: Bool) -> [MetricValue] {
        switch task {
        case .regression:
            return [MetricValue("mae", mae.value), MetricValue("rmse", rmse.value), MetricValue("r2", r2.value)]
        case .binary, .multiclass:
            var out = [MetricValue("accuracy", accuracy.value), MetricValue("macro_precision", macroPrecision.value),
                       MetricValue("macro_recall", macroRecall.value), MetricValue("macro_f1", macroF1.value)]
            if task == .binary {
                out += [MetricValue("f1", f1.value), MetricValue("log_loss", logLoss.value)]
                if withAUC { out.append(MetricValue("roc_auc", rocAUC.value)) }
            }
            return out
        }
    }
}

/// A random stream for `task`: class probabilities (ties and certain 0/1 included, so log-loss
/// clamps and ROC AUC ties occur) or regression values; a late new class grows the matrix.
private func stream(_ task: LearningTask, count: Int, seed: UInt64) -> [(Double, [Double])] {
    var rng = SplitMix64(state: seed)
    return (0..<count).map { i in
        switch task {
        case .regression:
            let y = Double.random(in: -5...5, using: &rng)
            return (y, [y + Double.random(in: -1...1, using: &rng)])
        case .binary:
            let p = Double(Int.random(in: 0...20, using: &rng)) / 20
            return (Double.random(in: 0...1, using: &rng) < p * 0.7 + 0.15 ? 1 : 0, [1 - p, p])
        case .multiclass:
            let classes = i < count / 2 ? 3 : 5
            var scores = (0..<classes).map { _ in Double(Int.random(in: 0...9, using: &rng)) }
            let total = scores.reduce(0, +) + 1
            scores = scores.map { ($0 + 0.2) / total }
            let truth = Int.random(in: 0..<classes, using: &rng)
            return (Double(truth), scores)
        }
    }
}

/// The suite scores every event exactly (bitwise) as its metrics kept separately would.
@Test(arguments: [LearningTask.binary, .multiclass(classes: 5), .regression], [nil, 1, 97] as [Int?])
func suiteMatchesSeparateMetrics(task: LearningTask, window: Int?) {
    let events = stream(task, count: 3000, seed: 42 &+ UInt64(window ?? 0))
    for withAUC in [true, false] where withAUC || (task == .binary && window == nil) {
        var suite = MetricSuite(task: task, window: window, cumulativeAUC: withAUC)
        var separate = SeparateMetrics(task: task, window: window ?? events.count)
        for (i, (truth, output)) in events.enumerated() {
            suite.update(truth: truth, output: output)
            separate.update(truth: truth, output: output)
            if i % 150 == 0 || i < 5 || i == events.count - 1 {
                #expect(suite.values == separate.values(withAUC: withAUC || window != nil), "event \(i)")
            }
        }
        // One metric read alone is the one `values` lists; a metric the suite lacks is nil.
        for metric in suite.values { #expect(suite.value(named: metric.name) == metric.value) }
        #expect(suite.names == suite.values.map(\.name))
        #expect(suite.value(named: "roc_auc") == nil ? !suite.names.contains("roc_auc") : task == .binary)
        #expect(suite.value(named: "no_such_metric") == nil)
    }
}

/// Restored halfway, any suite finishes with the values and state of an uninterrupted one.
@Test(arguments: [LearningTask.binary, .multiclass(classes: 5), .regression], [nil, 1, 97] as [Int?])
func restoredSuiteContinuesBitwise(task: LearningTask, window: Int?) throws {
    let events = stream(task, count: 700, seed: 7)
    var whole = MetricSuite(task: task, window: window)
    var first = MetricSuite(task: task, window: window)
    for (i, (truth, output)) in events.enumerated() {
        whole.update(truth: truth, output: output)
        if i < 333 { first.update(truth: truth, output: output) }
    }
    var resumed = MetricSuite(task: task, window: window)
    try resumed.restore(first.serialized())
    #expect(resumed.serialized() == first.serialized())
    for (truth, output) in events[333...] { resumed.update(truth: truth, output: output) }
    #expect(resumed.values == whole.values)
    #expect(resumed.serialized() == whole.serialized())
}

/// A blob from a differently configured suite is refused, not misread.
@Test func suiteRefusesStateOfAnotherConfiguration() {
    var rolling = MetricSuite(task: .binary, window: 10)
    var cumulative = MetricSuite(task: .binary)
    for (truth, output) in stream(.binary, count: 30, seed: 3) {
        rolling.update(truth: truth, output: output)
        cumulative.update(truth: truth, output: output)
    }
    var other = MetricSuite(task: .binary, window: 20)
    #expect(throws: StateError.self) { try other.restore(rolling.serialized()) }
    var noWindow = MetricSuite(task: .binary)
    #expect(throws: StateError.self) { try noWindow.restore(rolling.serialized()) }
    var windowed = MetricSuite(task: .binary, window: 10)
    #expect(throws: StateError.self) { try windowed.restore(cumulative.serialized()) }
    var noAUC = MetricSuite(task: .binary, cumulativeAUC: false)
    #expect(throws: StateError.self) { try noAUC.restore(cumulative.serialized()) }
    var multiclass = MetricSuite(task: .multiclass(classes: 3), window: 10)
    #expect(throws: StateError.self) { try multiclass.restore(rolling.serialized()) }
}

/// The version 1 blob earlier releases wrote: one blob per metric, `Rolling` ones when windowed.
private func version1Blob(_ m: SeparateMetrics, window: Int?, cumulativeAUC: Bool) -> [UInt8] {
    var writer = StateWriter(kind: "metric_suite", version: 1)
    let classification = m.task != .regression, binary = m.task == .binary
    if window != nil {
        let blobs = [classification ? m.accuracy.serialized() : [], classification ? m.macroPrecision.serialized() : [],
                     classification ? m.macroRecall.serialized() : [], classification ? m.macroF1.serialized() : [],
                     binary ? m.f1.serialized() : [], binary ? m.logLoss.serialized() : [], binary ? m.rocAUC.serialized() : [],
                     classification ? [] : m.mae.serialized(), classification ? [] : m.rmse.serialized(),
                     classification ? [] : m.r2.serialized()]
        for blob in blobs { writer.write(blob: blob) }
    } else {
        var blobs = [m.accuracy.base.serialized(), m.macroPrecision.base.serialized(), m.macroRecall.base.serialized(),
                     m.macroF1.base.serialized(), m.f1.base.serialized(), m.logLoss.base.serialized()]
        if cumulativeAUC { blobs.append(m.rocAUC.base.serialized()) }
        blobs += [m.mae.base.serialized(), m.rmse.base.serialized(), m.r2.base.serialized()]
        for blob in blobs { writer.write(blob: blob) }
    }
    return writer.finish()
}

/// A checkpoint written before the suite shared its state restores and continues exactly.
@Test(arguments: [LearningTask.binary, .multiclass(classes: 5), .regression], [nil, 1, 97] as [Int?])
func suiteRestoresVersion1State(task: LearningTask, window: Int?) throws {
    let events = stream(task, count: 600, seed: 11)
    for cumulativeAUC in [true, false] {
        var separate = SeparateMetrics(task: task, window: window ?? events.count)
        var whole = MetricSuite(task: task, window: window, cumulativeAUC: cumulativeAUC)
        for (truth, output) in events[..<250] {
            separate.update(truth: truth, output: output)
            whole.update(truth: truth, output: output)
        }
        var resumed = MetricSuite(task: task, window: window, cumulativeAUC: cumulativeAUC)
        try resumed.restore(version1Blob(separate, window: window, cumulativeAUC: cumulativeAUC))
        #expect(resumed.serialized() == whole.serialized())
        for (truth, output) in events[250...] {
            resumed.update(truth: truth, output: output)
            whole.update(truth: truth, output: output)
        }
        #expect(resumed.values == whole.values)
        #expect(resumed.serialized() == whole.serialized())
        var mismatched = MetricSuite(task: task, window: window.map { $0 + 1 } ?? 5, cumulativeAUC: cumulativeAUC)
        #expect(throws: StateError.self) {
            try mismatched.restore(version1Blob(separate, window: window, cumulativeAUC: cumulativeAUC))
        }
    }
}
