import EddyDrift
import EddyFeatures
import EddyLearn
import EddyPipeline
import Testing

struct LearnerCase: Sendable, CustomStringConvertible {
    let kind: String
    let task: String
    let extra: String
    var description: String { "\(kind) \(task) \(extra)" }
}

let learnerCases: [LearnerCase] = [
    LearnerCase(kind: "logistic_regression", task: "binary", extra: "optimizer:\n  kind: sgd\n  momentum: 0.5"),
    LearnerCase(kind: "logistic_regression", task: "binary", extra: "optimizer:\n  kind: ftrl\n  l1: 0.1"),
    LearnerCase(kind: "linear_regression", task: "regression", extra: "optimizer:\n  kind: adam\n  schedule: inverse_scaling"),
    LearnerCase(kind: "softmax_regression", task: "multiclass", extra: "optimizer:\n  kind: adagrad"),
    LearnerCase(kind: "mlp", task: "multiclass", extra: "optimizer:\n  kind: rmsprop\n  schedule: step\n  step_every: 10"),
    LearnerCase(kind: "mlp", task: "regression", extra: "optimizer:\n  kind: adamw\n  weight_decay: 0.001"),
    LearnerCase(kind: "factorization_machine", task: "binary", extra: "optimizer:\n  kind: adam\n  clip_norm: 5"),
    LearnerCase(kind: "gaussian_nb", task: "multiclass", extra: ""),
    LearnerCase(kind: "hoeffding_tree", task: "binary", extra: ""),
]

@Suite struct FactoryTests {
    @Test(arguments: learnerCases)
    func buildLearnAndRestore(_ c: LearnerCase) throws {
        let classes = c.task == "multiclass" ? "\n  classes: [a, b, c]" : ""
        let s = try parse("""
            source:
              brokers: b:1
              topics: [t]
            features:
              numeric: [x0, x1]
              categorical: [k]
              hash_bits: 4
              label: y\(classes)
            task: \(c.task)
            learner:
              kind: \(c.kind)
            \(c.extra)
            """)
        var learner = try s.makeLearner()
        #expect(learner.task == s.learningTask)
        var decoder = s.makeDecoder()
        let labels = c.task == "multiclass" ? ["\"a\"", "\"b\"", "\"c\""] : ["0", "1"]
        for i in 0..<60 {
            let x0 = Double(i % 7) - 3, x1 = Double(i % 5) * 0.5
            let y = labels[(i % 7 + i % 3) % labels.count]
            let event = try decoder.decode(Array(#"{"x0": \#(x0), "x1": \#(x1), "k": "v\#(i % 4)", "y": \#(y)}"#.utf8)).get()
            learner.learn(event.features, label: event.label)
        }
        let blob = learner.stateBlob()
        let restored = try s.restoreLearner(from: blob)
        #expect(restored.stateBlob() == blob)
        let probe = try decoder.decode(Array(#"{"x0": 1.5, "x1": -2, "k": "v1", "y": \#(labels[0])}"#.utf8)).get()
        var a: [Double] = [], b: [Double] = []
        learner.predict(probe.features, into: &a)
        restored.predict(probe.features, into: &b)
        #expect(a == b)
        #expect(a.count == s.learningTask.outputCount)
    }

    @Test func foreignBlobIsRefused() throws {
        let logistic = try parse(basePipeline)
        let nb = try parse(edit(basePipeline, "kind: logistic_regression", "kind: gaussian_nb"))
        let nbBlob = try nb.makeLearner().stateBlob()
        #expect(throws: PipelineError.self) { try logistic.restoreLearner(from: nbBlob) }
        var corrupted = try logistic.makeLearner().stateBlob()
        corrupted[corrupted.count / 2] ^= 0xFF
        #expect(throws: PipelineError.self) { try logistic.restoreLearner(from: corrupted) }
        let adam = try parse(basePipeline + "optimizer:\n  kind: adam\n")
        #expect(throws: PipelineError.self) { try adam.restoreLearner(from: logistic.makeLearner().stateBlob()) }
    }

    @Test func detectorFromSpec() throws {
        let s = try parse(basePipeline + "drift:\n  detector: page_hinkley\n  params:\n    threshold: 5\n    min_instances: 3\n  watch: loss\n")
        var detector = s.makeDetector()
        var reference = try DetectorCatalog.make("page_hinkley", parameters: ["threshold": "5", "min_instances": "3"])
        for i in 0..<200 {
            let v = i < 100 ? 0.0 : 3.0
            detector.update(v)
            reference.update(v)
            #expect(detector.driftDetected == reference.driftDetected)
        }
        #expect(detector.serialized() == reference.serialized())
    }

    @Test func featureWidthCountsEveryBlock() throws {
        let s = try parse(edit(basePipeline, "  label: y\n", "  label: y\n  vector: v\n  vector_size: 4\n  categorical: [c]\n  hash_bits: 5\n"))
        #expect(s.featureWidth == 2 + 4 + 32)
        #expect(s.makeDecoder().width == s.featureWidth)
    }
}
