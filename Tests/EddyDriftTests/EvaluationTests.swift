import EddyFeatures
import EddyLearn
import Testing
@testable import EddyDrift

/// Test-only learner: predicts the class seen most often so far (ties to the lower index),
/// with probability 1, and records every prediction it makes.
struct MajorityClass: Learner {
    let task: LearningTask
    var counts: [Int]
    init(classes: Int) {
        task = classes == 2 ? .binary : .multiclass(classes: classes)
        counts = [Int](repeating: 0, count: classes)
    }
    func predict(_ x: FeatureVector, into output: inout [Double]) {
        var best = 0
        for k in 1..<counts.count where counts[k] > counts[best] { best = k }
        for k in 0..<output.count { output[k] = k == best ? 1 : 0 }
    }
    mutating func learn(_ x: FeatureVector, label: Double) { counts[Int(label)] += 1 }
}

/// Test-only regressor: predicts the mean of the labels seen so far.
struct RunningMeanRegressor: Learner {
    var task: LearningTask { .regression }
    var sum = 0.0, n = 0.0
    func predict(_ x: FeatureVector, into output: inout [Double]) { output[0] = n == 0 ? 0 : sum / n }
    mutating func learn(_ x: FeatureVector, label: Double) { sum += label; n += 1 }
}

@Suite struct PrequentialEvaluatorTests {
    static let labels: [Double] = [0, 1, 1, 2, 1, 0, 2, 2, 2, 2, 0, 1]

    @Test func predictsBeforeLearningAndSnapshotsEveryK() {
        let rows = Self.labels.map { (x: FeatureVector(dense: [0]), y: $0) }
        var evaluator = PrequentialEvaluator(learner: MajorityClass(classes: 3), snapshotEvery: 5, window: 4)
        let snapshots = evaluator.run(rows)
        #expect(snapshots.map(\.events) == [5, 10, 12])
        // What the learner must have predicted, test-then-train: the majority of the labels before each event.
        var accuracy = Accuracy(), macroF1 = MacroF1(), recent = Rolling(Accuracy(), windowSize: 4)
        var counts = [0, 0, 0]
        for (i, y) in Self.labels.enumerated() {
            var best = 0
            for k in 1..<3 where counts[k] > counts[best] { best = k }
            accuracy.update(truth: y, prediction: Double(best))
            macroF1.update(truth: y, prediction: Double(best))
            recent.update(truth: y, prediction: Double(best))
            counts[Int(y)] += 1
            if i == 9 {
                #expect(snapshots[1].cumulative.first { $0.name == "accuracy" }?.value == accuracy.value)
                #expect(snapshots[1].rolling.first { $0.name == "accuracy" }?.value == recent.value)
            }
        }
        #expect(evaluator.snapshot.cumulative.first { $0.name == "macro_f1" }?.value == macroF1.value)
        #expect(evaluator.learner.counts == [3, 4, 5])
        #expect(snapshots[2].cumulative.map(\.name) == ["accuracy", "macro_precision", "macro_recall", "macro_f1"])
    }

    @Test func binaryAndRegressionSuitesNameTheirMetrics() {
        var binary = PrequentialEvaluator(learner: MajorityClass(classes: 2), snapshotEvery: 100)
        binary.process(FeatureVector(dense: [1]), label: 1)
        #expect(binary.snapshot.cumulative.map(\.name) == ["accuracy", "macro_precision", "macro_recall", "macro_f1", "f1", "log_loss", "roc_auc"])
        var regression = PrequentialEvaluator(learner: RunningMeanRegressor(), snapshotEvery: 2)
        let snaps = regression.run([(x: FeatureVector(dense: []), y: 2.0), (x: FeatureVector(dense: []), y: 4.0), (x: FeatureVector(dense: []), y: 6.0)])
        // predictions 0, 2, 3 -> absolute errors 2, 2, 3
        #expect(snaps.last?.cumulative.first { $0.name == "mae" }?.value == 7.0 / 3.0)
        #expect(snaps.map(\.events) == [2, 3])
    }
}

@Suite struct CSVDatasetTests {
    @Test func classLabelsBecomeIndicesInOrderOfFirstAppearance() throws {
        let data = try CSVDataset(text: "a,b,class\n1,2,up\n3.5,-4e2,down\n\n5,6,up\r\n7,8,flat\n", kind: .classification)
        #expect(data.featureNames == ["a", "b"])
        #expect(data.labelName == "class")
        #expect(data.classes == ["up", "down", "flat"])
        #expect(data.rows.map(\.y) == [0, 1, 0, 2])
        #expect(data.rows[1].x.values == [3.5, -400])
        #expect(data.task == .multiclass(classes: 3))
    }

    @Test func namedLabelColumnAndRegression() throws {
        let data = try CSVDataset(text: "price,size,\"rooms, total\"\n100.5,50,\"3\"\n80,40,2\n", label: "price", kind: .regression)
        #expect(data.featureNames == ["size", "rooms, total"])
        #expect(data.rows.map(\.y) == [100.5, 80])
        #expect(data.rows[0].x.values == [50, 3])
        #expect(data.task == .regression)
    }

    @Test func malformedRowsNameTheirLine() {
        #expect(throws: CSVError.wrongFieldCount(line: 3, expected: 3, found: 2)) {
            _ = try CSVDataset(text: "a,b,y\n1,2,0\n1,2\n", kind: .classification)
        }
        #expect(throws: CSVError.notANumber(line: 2, column: "b", value: "x")) {
            _ = try CSVDataset(text: "a,b,y\n1,x,0\n", kind: .classification)
        }
        #expect(throws: CSVError.notANumber(line: 2, column: "y", value: "yes")) {
            _ = try CSVDataset(text: "a,y\n1,yes\n", kind: .regression)
        }
        #expect(throws: CSVError.unknownLabel(name: "z", columns: ["a", "y"])) {
            _ = try CSVDataset(text: "a,y\n1,0\n", label: "z", kind: .classification)
        }
        #expect(throws: CSVError.noHeader) { _ = try CSVDataset(text: "\n\n", kind: .classification) }
        #expect(throws: CSVError.unterminatedQuote(line: 2)) { _ = try CSVDataset(text: "a,y\n\"1,0\n", kind: .classification) }
        #expect(CSVError.wrongFieldCount(line: 3, expected: 3, found: 2).description == "line 3: 2 fields, the header has 3")
    }
}
