import ArgumentParser
import EddyLearn
import EddyPipeline
import EddyRunner
import EddyStore
import Foundation

/// `eddy export`: one model version as JSON, for use outside Eddy: the pipeline, the version's
/// metadata and metrics, and the learner's variables by name (shape and values) for gradient
/// models, or the tree's or naive Bayes' settings and size for incremental ones.
///
/// ```
/// $ eddy export 12 --pipeline pipelines/demo.yaml > model.json
/// ```
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write one model version as JSON (variables by name, metrics, offsets)."
    )

    @Argument(help: "The version id (see `eddy checkpoints`).")
    var version: Int64

    @Option(help: "The pipeline file the version was trained with (it says how to read the state).")
    var pipeline: String

    @Option(help: "The database (default: the pipeline's).")
    var db: String?

    func run() throws {
        let spec = try PipelineSpec.load(path: pipeline, environment: ProcessInfo.processInfo.environment)
        let store = try CheckpointStore(path: db ?? spec.databasePath, readOnly: true)
        guard let model = try store.version(version) else {
            throw ValidationError("no model version \(version) in \(db ?? spec.databasePath); `eddy checkpoints --db ...` lists them")
        }
        guard model.pipeline == spec.name else {
            throw ValidationError("version \(version) belongs to pipeline '\(model.pipeline)', not '\(spec.name)'")
        }
        let learner = try PipelineStateBlob.learner(from: model.state, spec: spec)
        var document: [String: Any] = [
            "pipeline": model.pipeline, "version": model.id, "parent": model.parentID.map { $0 as Any } ?? NSNull(),
            "created_at": Timestamp.format(model.createdAt), "reason": model.reason, "events_seen": model.eventsSeen,
            "metrics": model.metrics.filter { $0.value.isFinite },
            "offsets": model.partitions.map { ["topic": $0.topic, "partition": Int($0.partition), "next_offset": $0.nextOffset,
                                              "events_learned": $0.eventsLearned, "dead_lettered": $0.deadLettered] },
            "learner": spec.learner.kind.rawValue, "task": spec.task.rawValue,
        ]
        document["model"] = Self.describe(learner)
        let data = try JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }

    static func describe(_ learner: any PersistentLearner) -> [String: Any] {
        if let gradient = learner as? any GradientLearner { return variables(gradient) }
        if let tree = learner as? HoeffdingTreeClassifier {
            return ["leaves": tree.leafCount, "branches": tree.branchCount, "grace_period": tree.gracePeriod,
                    "split_criterion": "\(tree.splitCriterion)", "leaf_prediction": "\(tree.leafPrediction)"]
        }
        return ["state_bytes": learner.stateBlob().count]
    }

    private static func variables<G: GradientLearner>(_ model: G) -> [String: Any] {
        var variables: [String: Any] = [:]
        for (name, tensor) in zip(model.parameters.names, model.parameters.tensors) {
            variables[name] = ["shape": Array([tensor.shape.rows, tensor.shape.cols].suffix(tensor.shape.rank)), "values": tensor.scalars]
        }
        return ["variables": variables, "input_width": model.inputWidth]
    }
}
