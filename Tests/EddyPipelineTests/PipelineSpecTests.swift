import EddyPipeline
import Foundation
import Testing

/// A valid pipeline; the line numbers in the comments are what the broken variants rely on.
let basePipeline = """
name: t
source:
  brokers: localhost:9092
  topics: [events]
features:
  numeric: [x0, x1]
  label: y
task: binary
learner:
  kind: logistic_regression

"""
// Lines: 1 name, 2 source, 3 brokers, 4 topics, 5 features, 6 numeric, 7 label, 8 task,
// 9 learner, 10 kind; appended sections start at line 11.

func parse(_ yaml: String, environment: [String: String] = [:]) throws(PipelineError) -> PipelineSpec {
    try PipelineSpec.parse(yaml: yaml, environment: environment, fileName: "t.yaml", directory: "/srv/eddy")
}

/// Replaces the first occurrence of `old` (which must exist) in `text`.
func edit(_ text: String, _ old: String, _ new: String) -> String {
    precondition(text.contains(old), "'\(old)' not in the base pipeline")
    return text.replacingOccurrences(of: old, with: new)
}

struct BrokenFile: Sendable, CustomStringConvertible {
    let kind: String
    let yaml: String
    let line: Int
    let message: String
    var description: String { kind }
}

let brokenFiles: [BrokenFile] = [
    BrokenFile(kind: "unknown top-level key", yaml: basePipeline + "lerner:\n  kind: mlp\n", line: 11,
               message: "unknown top-level key 'lerner'; allowed: name, source, format"),
    BrokenFile(kind: "unknown nested key", yaml: edit(basePipeline, "  kind: logistic_regression\n", "  kind: logistic_regression\n  lerning_rate: 0.1\n"), line: 11,
               message: "unknown key 'lerning_rate' in 'learner' section for learner logistic_regression; allowed: kind, loss, intercept_lr"),
    BrokenFile(kind: "unknown key in source", yaml: edit(basePipeline, "  topics: [events]\n", "  topics: [events]\n  grup: g\n"), line: 5,
               message: "unknown key 'grup' in 'source' section; allowed: brokers, topics, group, properties, dead_letter_topic, max_message_bytes"),
    BrokenFile(kind: "wrong type", yaml: edit(basePipeline, "topics: [events]", "topics: {a: 1}"), line: 4,
               message: "'source.topics' must be a list, not a mapping"),
    BrokenFile(kind: "section of wrong type", yaml: edit(basePipeline, "learner:\n  kind: logistic_regression", "learner: logistic_regression"), line: 9,
               message: "'learner' must be a mapping of keys to values, not 'logistic_regression'"),
    BrokenFile(kind: "bad enum value", yaml: edit(basePipeline, "task: binary", "task: binay"), line: 8,
               message: "task 'binay' is not one of binary, multiclass, regression"),
    BrokenFile(kind: "not a number", yaml: basePipeline + "metrics:\n  window: lots\n", line: 12,
               message: "'metrics.window' is 'lots', not an integer"),
    BrokenFile(kind: "zero where positive", yaml: basePipeline + "metrics:\n  window: 0\n", line: 12,
               message: "'metrics.window' is 0; it must lie in 1 or more"),
    BrokenFile(kind: "negative learning rate", yaml: basePipeline + "optimizer:\n  kind: sgd\n  lr: -0.1\n", line: 13,
               message: "'optimizer.lr' is -0.1; it must be positive"),
    BrokenFile(kind: "missing label", yaml: edit(basePipeline, "  label: y\n", ""), line: 5,
               message: "'features.label' is required"),
    BrokenFile(kind: "missing topics", yaml: edit(basePipeline, "  topics: [events]\n", ""), line: 2,
               message: "'source.topics' is required (a list)"),
    BrokenFile(kind: "empty topics", yaml: edit(basePipeline, "topics: [events]", "topics: []"), line: 4,
               message: "'source.topics' must not be empty"),
    BrokenFile(kind: "missing brokers", yaml: edit(basePipeline, "  brokers: localhost:9092\n", ""), line: 2,
               message: "'source.brokers' is required"),
    BrokenFile(kind: "unknown detector", yaml: basePipeline + "drift:\n  detector: adwinn\n", line: 12,
               message: "detector 'adwinn' is not one of adwin, page_hinkley, kswin, ddm, eddm, hddm_a, hddm_w"),
    BrokenFile(kind: "unknown detector parameter", yaml: basePipeline + "drift:\n  detector: adwin\n  params:\n    deltaa: 0.1\n", line: 14,
               message: "detector adwin has no parameter 'deltaa'; allowed: delta, clock, max_buckets, min_window_length, grace_period"),
    BrokenFile(kind: "detector parameter out of range", yaml: basePipeline + "drift:\n  detector: adwin\n  params:\n    delta: 2\n", line: 14,
               message: "adwin: delta=2.0 is out of range"),
    BrokenFile(kind: "binary detector on a regression", yaml: edit(edit(basePipeline, "task: binary", "task: regression"), "kind: logistic_regression", "kind: linear_regression")
                + "drift:\n  detector: ddm\n", line: 12,
               message: "detector ddm reads a 0/1 error stream"),
    BrokenFile(kind: "unknown learner", yaml: edit(basePipeline, "kind: logistic_regression", "kind: logistic"), line: 10,
               message: "learner 'logistic' is not one of logistic_regression, linear_regression, softmax_regression, mlp, factorization_machine, gaussian_nb, hoeffding_tree"),
    BrokenFile(kind: "unknown optimizer", yaml: basePipeline + "optimizer:\n  kind: sgdd\n", line: 12,
               message: "optimizer 'sgdd' is not one of sgd, adagrad, rmsprop, adam, adamw, ftrl"),
    BrokenFile(kind: "optimizer key of another optimizer", yaml: basePipeline + "optimizer:\n  kind: sgd\n  beta1: 0.9\n", line: 13,
               message: "unknown key 'beta1' in 'optimizer' section for optimizer sgd; allowed: kind, lr, schedule, momentum, l1, l2, clip_value, clip_norm"),
    BrokenFile(kind: "optimizer for a learner without one", yaml: edit(basePipeline, "kind: logistic_regression", "kind: gaussian_nb") + "optimizer:\n  kind: sgd\n", line: 11,
               message: "learner 'gaussian_nb' does not use an optimizer"),
    BrokenFile(kind: "hash_bits out of range", yaml: edit(basePipeline, "  label: y\n", "  label: y\n  categorical: [c]\n  hash_bits: 40\n"), line: 9,
               message: "'features.hash_bits' is 40; it must lie in 1...24"),
    BrokenFile(kind: "learner incompatible with task", yaml: edit(basePipeline, "kind: logistic_regression", "kind: linear_regression"), line: 10,
               message: "learner 'linear_regression' cannot do task binary; it does regression"),
    BrokenFile(kind: "missing environment variable", yaml: edit(basePipeline, "brokers: localhost:9092", "brokers: ${EDDY_TEST_UNSET}"), line: 3,
               message: "environment variable 'EDDY_TEST_UNSET' is not set"),
    BrokenFile(kind: "invalid YAML syntax", yaml: edit(basePipeline, "  numeric: [x0, x1]\n", "  numeric: [x0, x1\n"), line: 7,
               message: "not valid YAML"),
    BrokenFile(kind: "duplicate key", yaml: basePipeline + "task: regression\n", line: 11,
               message: "duplicate key 'task'"),
    BrokenFile(kind: "classes for a regression", yaml: edit(edit(basePipeline, "task: binary", "task: regression"), "kind: logistic_regression", "kind: linear_regression")
                .replacingOccurrences(of: "  label: y\n", with: "  label: y\n  classes: [a, b]\n"), line: 8,
               message: "'features.classes' does not apply to task regression"),
    BrokenFile(kind: "multiclass without classes", yaml: edit(edit(basePipeline, "task: binary", "task: multiclass"), "kind: logistic_regression", "kind: softmax_regression"), line: 5,
               message: "task multiclass needs 'features.classes'"),
    BrokenFile(kind: "binary with three classes", yaml: edit(basePipeline, "  label: y\n", "  label: y\n  classes: [a, b, c]\n"), line: 8,
               message: "task binary needs exactly 2 classes, not 3"),
    BrokenFile(kind: "field named twice", yaml: edit(basePipeline, "numeric: [x0, x1]", "numeric: [x0, y]"), line: 5,
               message: "field 'y' is named twice among features and label"),
    BrokenFile(kind: "csv without columns", yaml: basePipeline + "format:\n  type: csv\n", line: 11,
               message: "'format.columns' is required (a list)"),
    BrokenFile(kind: "csv columns missing a field", yaml: basePipeline + "format:\n  type: csv\n  columns: [x0, y]\n", line: 6,
               message: "field 'x1' is not one of the CSV columns x0, y"),
    BrokenFile(kind: "rollback metric of another task", yaml: basePipeline + "rollback:\n  metric: mae\n", line: 12,
               message: "rollback metric 'mae' is not one of accuracy, macro_f1, f1, log_loss, roc_auc (for task binary)"),
    BrokenFile(kind: "bad boolean", yaml: basePipeline + "checkpoint:\n  on_shutdown: sometimes\n", line: 12,
               message: "'checkpoint.on_shutdown' is 'sometimes', not true or false"),
    BrokenFile(kind: "empty file", yaml: "", line: 1, message: "the file is empty"),
    BrokenFile(kind: "unknown adaptation policy", yaml: basePipeline + "adaptation:\n  policy: background_learner\n", line: 12,
               message: "reset, boost_lr, none"),
    BrokenFile(kind: "boost_lr without a learning rate", yaml: edit(basePipeline, "logistic_regression", "gaussian_nb") + "adaptation:\n  policy: boost_lr\n", line: 12,
               message: "policy boost_lr raises a learning rate, and learner 'gaussian_nb' has none"),
    BrokenFile(kind: "bad max_abs_value", yaml: edit(basePipeline, "  label: y\n", "  label: y\n  max_abs_value: -3\n"), line: 8,
               message: "'features.max_abs_value' is -3; it must be a positive number or none"),
]

@Suite struct PipelineSpecTests {
    @Test(arguments: brokenFiles)
    func brokenFileIsRefusedWithItsLine(_ broken: BrokenFile) {
        do {
            let spec = try parse(broken.yaml)
            Issue.record("\(broken.kind): accepted, as \(spec.summary)")
        } catch {
            #expect(error.line == broken.line, "\(broken.kind): \(error)")
            #expect(error.description.hasPrefix("t.yaml:\(broken.line): "), "\(broken.kind): \(error)")
            #expect(error.description.contains(broken.message), "\(broken.kind): \(error)")
        }
    }

    @Test func adaptationDefaultsFollowTheLearner() throws {
        #expect(try parse(edit(basePipeline, "logistic_regression", "hoeffding_tree")).adaptation.policy == .reset)
        #expect(try parse(edit(basePipeline, "  label: y\n", "  label: y\n  max_abs_value: none\n")).features.maxAbsValue == nil)
    }

    @Test func baseAndDefaults() throws {
        let spec = try parse(basePipeline)
        #expect(spec.name == "t")
        #expect(spec.source.topics == ["events"])
        #expect(spec.source.group == "eddy-t")
        #expect(spec.source.maxMessageBytes == 1 << 20)
        #expect(spec.format == .json)
        #expect(spec.task == .binary)
        #expect(spec.learner.kind == .logisticRegression)
        #expect(spec.optimizer?.kind == .sgd)
        #expect(spec.optimizer?.lr == 0.01)
        #expect(spec.drift.detector == "adwin")
        #expect(spec.drift.watch == .error)
        #expect(spec.adaptation.policy == .boostLR)
        #expect(spec.adaptation.backgroundOnWarning)
        #expect(spec.features.maxAbsValue == 1e12)
        #expect(spec.rollback.lookback == 5)
        #expect(spec.rollback.metric == "accuracy")
        #expect(spec.rollback.windows == 3)
        #expect(spec.metrics.window == 1000)
        #expect(spec.checkpoint.everyEvents == 10_000 && spec.checkpoint.everySeconds == 30 && spec.checkpoint.onShutdown)
        #expect(spec.databasePath == "/srv/eddy/t.db")
        #expect(spec.featureWidth == 2)
    }

    @Test func checkpointGivenByEventsOnly() throws {
        let spec = try parse(basePipeline + "checkpoint:\n  every_events: 500\n")
        #expect(spec.checkpoint.everyEvents == 500 && spec.checkpoint.everySeconds == nil && spec.checkpoint.onShutdown)
    }

    @Test func databasePathResolvesAgainstTheFilesDirectory() throws {
        #expect(try parse(basePipeline + "database:\n  path: ../data/x.db\n").databasePath == "/srv/data/x.db")
        #expect(try parse(basePipeline + "database:\n  path: /var/lib/x.db\n").databasePath == "/var/lib/x.db")
    }

    @Test func environmentSubstitution() throws {
        let yaml = edit(basePipeline, "brokers: localhost:9092", "brokers: ${HOST}:${PORT}")
        let spec = try parse(yaml, environment: ["HOST": "kafka.internal", "PORT": "9093"])
        #expect(spec.source.brokers == "kafka.internal:9093")
        let fallback = edit(basePipeline, "brokers: localhost:9092", "brokers: ${HOST:-localhost:1}")
        #expect(try parse(fallback).source.brokers == "localhost:1")
        let typed = basePipeline + "metrics:\n  window: ${WINDOW}\n"
        #expect(try parse(typed, environment: ["WINDOW": "250"]).metrics.window == 250)
    }

    @Test func redactedJSONHidesSecretsAndEnvironmentValues() throws {
        let yaml = edit(basePipeline, "  topics: [events]\n", """
              topics: [events]
              properties:
                sasl.username: ${KAFKA_USER}
                sasl.password: literal-hunter2
                ssl.key.password: ${KEY_PASSWORD}
                client.id: eddy-test

            """)
        let environment = ["KAFKA_USER": "alice-the-user", "KEY_PASSWORD": "s3cr3t-key-pw"]
        let spec = try parse(edit(yaml, "brokers: localhost:9092", "brokers: ${BROKERS}"),
                             environment: environment.merging(["BROKERS": "broker-host:9092"]) { a, _ in a })
        #expect(spec.source.properties["sasl.password"] == "literal-hunter2")
        #expect(spec.source.properties["sasl.username"] == "alice-the-user")
        let json = spec.redactedJSON()
        for secret in ["literal-hunter2", "alice-the-user", "s3cr3t-key-pw", "broker-host"] {
            #expect(!json.contains(secret), "\(secret) leaked into \(json)")
        }
        #expect(json.contains("\"client.id\":\"eddy-test\""))
        #expect(json.contains("\"sasl.password\":\"[redacted]\""))
        #expect(json.contains("\"brokers\":\"[redacted]\""))
        #expect(json.contains("\"topics\":[\"events\"]"))
        // Defaults are in the snapshot too, and it is valid JSON.
        #expect(json.contains("\"window\":1000"))
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        #expect((object?["learner"] as? [String: Any])?["kind"] as? String == "logistic_regression")
    }

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test(arguments: ["demo.yaml", "fraud.yaml", "regression.yaml"])
    func shippedPipelinesValidate(_ file: String) throws {
        let path = Self.repository.appendingPathComponent("pipelines").appendingPathComponent(file).path
        let environment = ["KAFKA_BROKERS": "b:9092", "KAFKA_USER": "u", "KAFKA_PASSWORD": "p"]
        let spec = try PipelineSpec.load(path: path, environment: environment)
        _ = try spec.makeLearner()
        _ = spec.makeDetector()
        if file == "fraud.yaml" {
            #expect(spec.optimizer?.kind == .ftrl)
            #expect(spec.features.categorical == ["merchant", "country", "device"])
            #expect(!spec.redactedJSON().contains("\"p\""))
        }
        if file == "regression.yaml" {
            #expect(spec.task == .regression)
            #expect(spec.optimizer?.kind == .adam)
            #expect(spec.features.scale == .standard)
        }
        if file == "demo.yaml" {
            #expect(spec.features.numeric == ["x0", "x1", "x2"])
            #expect(spec.features.label == "y")
        }
    }

    @Test func missingFileIsReported() {
        #expect(throws: PipelineError.self) { try PipelineSpec.load(path: "/nonexistent/p.yaml", environment: [:]) }
    }
}
