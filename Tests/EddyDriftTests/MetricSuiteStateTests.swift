import EddyDrift
import EddyLearn
import Testing

/// A restored suite, fed the rest of a stream, ends with the same values as one fed all of it.
@Test(arguments: [nil, 50] as [Int?])
func restoredSuiteScoresLikeAnUninterruptedOne(window: Int?) throws {
    let outputs: [(Double, [Double])] = (0..<400).map { i in
        let p = Double((i * 37) % 100) / 100
        return (Double((i * 7) % 3 == 0 ? 1 : 0), [1 - p, p])
    }
    var whole = MetricSuite(task: .binary, window: window)
    var first = MetricSuite(task: .binary, window: window)
    for (i, (truth, output)) in outputs.enumerated() {
        whole.update(truth: truth, output: output)
        if i < 170 { first.update(truth: truth, output: output) }
    }
    var resumed = MetricSuite(task: .binary, window: window)
    try resumed.restore(first.serialized())
    for (truth, output) in outputs[170...] { resumed.update(truth: truth, output: output) }
    #expect(resumed.values == whole.values)
    #expect(resumed.serialized() == whole.serialized())
}

@Test func cumulativeSuiteCanLeaveOutAUC() throws {
    var suite = MetricSuite(task: .binary, cumulativeAUC: false)
    suite.update(truth: 1, output: [0.2, 0.8])
    #expect(!suite.values.map(\.name).contains("roc_auc"))
    var again = MetricSuite(task: .binary, cumulativeAUC: false)
    try again.restore(suite.serialized())
    #expect(again.values == suite.values)
}
