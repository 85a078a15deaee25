import ArgumentParser
import EddyPipeline
import EddyRunner
import Foundation

/// `eddy evaluate`: runs a learner (or a whole pipeline's learner, scaler and detector) over a
/// CSV file prequentially, with no Kafka, and prints the metrics; the last line is JSON.
///
/// ```
/// $ eddy evaluate --learner hoeffding_tree --param grace_period=100 data.csv
/// $ eddy evaluate --pipeline pipelines/demo.yaml data.csv
/// ```
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Run a learner or a pipeline over a CSV file prequentially (predict, score, learn); print metrics.",
        discussion: """
            The CSV file has a header; the label is the last column unless --label names it, and every \
            other column is a numeric feature. With --learner, the task is regression for \
            linear_regression and otherwise classification (binary for two label values, multiclass for \
            more), unless --task says; --param sets learner settings by their pipeline-file names \
            (e.g. grace_period=100) and, prefixed with optimizer., the optimizer's (optimizer.kind=adam, \
            optimizer.lr=0.01). With --pipeline, the pipeline file's features, learner, optimizer, \
            scaling, drift detector, adaptation and rollback settings are used as they are, through the \
            same code as `eddy run` (versions kept in memory at checkpoint.every_events).
            The last line is one JSON object: \
            {"events":N,"refused":N,"drifts":N,"promotions":N,"rollbacks":N,"accuracy":..,...}.
            """
    )

    @Option(help: "Learner: \(PipelineSpec.LearnerKind.allCases.map(\.rawValue).joined(separator: ", ")).")
    var learner: String?

    @Option(name: .customLong("param"), help: ArgumentHelp("A learner setting, or optimizer.<setting> (repeatable).", valueName: "k=v"))
    var parameters: [String] = []

    @Option(help: "Scale the features: standard (River's running StandardScaler) or none.")
    var scale: String = "none"

    @Option(help: "The label column (default: the last).")
    var label: String?

    @Option(help: "binary, multiclass or regression (default: from the learner and the labels).")
    var task: String?

    @Option(help: "Evaluate this pipeline file's learner, scaling and detector instead of --learner.")
    var pipeline: String?

    @Argument(help: "The CSV file.")
    var file: String

    func validate() throws {
        guard (learner == nil) != (pipeline == nil) else { throw ValidationError("give either --learner or --pipeline") }
        if pipeline != nil && (!parameters.isEmpty || task != nil || scale != "none") {
            throw ValidationError("--param, --task and --scale go with --learner; a pipeline file says these itself")
        }
    }

    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        var spec: PipelineSpec
        if let pipeline {
            spec = try PipelineSpec.load(path: pipeline, environment: environment)
        } else {
            spec = try PipelineSpec.parse(yaml: try learnerPipeline(), environment: environment, fileName: "eddy evaluate")
        }
        let report = try CSVEvaluation.run(spec: spec, csvPath: file)
        for refusal in report.refusals { print("refused \(refusal)") }
        for line in report.timeline { print(line) }
        for metric in report.metrics { print("\(metric.name): \(metric.value)") }
        print("events: \(report.events), refused: \(report.refused), drifts: \(report.drifts), promotions: \(report.promotions), rollbacks: \(report.rollbacks)")
        var fields = ["\"events\":\(report.events)", "\"refused\":\(report.refused)", "\"drifts\":\(report.drifts)",
                      "\"promotions\":\(report.promotions)", "\"rollbacks\":\(report.rollbacks)"]
        fields += report.metrics.map { "\"\($0.name)\":\($0.value.isFinite ? "\($0.value)" : "null")" }
        print("{" + fields.joined(separator: ",") + "}")
    }

    /// A pipeline file for --learner: the CSV's columns as numeric features, the given settings.
    private func learnerPipeline() throws -> String {
        guard let kind = PipelineSpec.LearnerKind(rawValue: learner!) else {
            throw ValidationError("--learner '\(learner!)' is not one of \(PipelineSpec.LearnerKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let data = FileManager.default.contents(atPath: file) else { throw ValidationError("cannot read \(file)") }
        let rows = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline)
        guard let header = rows.first else { throw ValidationError("\(file) is empty: expected a header line") }
        let columns = header.split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: CharacterSet(charactersIn: " \"\r")) }
        let labelColumn = label ?? columns.last!
        guard let labelIndex = columns.firstIndex(of: labelColumn) else {
            throw ValidationError("--label '\(labelColumn)' is not a column of \(file); columns: \(columns.joined(separator: ", "))")
        }
        var values: [String] = []
        for row in rows.dropFirst() {
            let fields = row.split(separator: ",", omittingEmptySubsequences: false)
            if labelIndex < fields.count {
                let value = fields[labelIndex].trimmingCharacters(in: CharacterSet(charactersIn: " \"\r"))
                if !value.isEmpty && !values.contains(value) { values.append(value) }
            }
        }
        let taskName = task ?? (kind.tasks == [.regression] ? "regression" : values.count <= 2 ? "binary" : "multiclass")
        if values.allSatisfy({ Double($0) != nil }) { values.sort { Double($0)! < Double($1)! } }
        var learnerLines = ["  kind: \(kind.rawValue)"], optimizerLines: [String] = []
        for item in parameters {
            let (key, value) = try PropertyArgument.split(item, option: "--param")
            if key.hasPrefix("optimizer.") {
                optimizerLines.append("  \(key.dropFirst("optimizer.".count)): \(value)")
            } else {
                learnerLines.append("  \(key): \(value)")
            }
        }
        let quoted = { (s: String) in "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
        var yaml = """
            name: evaluate
            source:
              brokers: none
              topics: [none]
            features:
              numeric: [\(columns.filter { $0 != labelColumn }.map(quoted).joined(separator: ", "))]
              scale: \(scale)
              label: \(quoted(labelColumn))

            """
        if taskName != "regression" { yaml += "  classes: [\(values.map(quoted).joined(separator: ", "))]\n" }
        yaml += "task: \(taskName)\nlearner:\n\(learnerLines.joined(separator: "\n"))\n"
        // The learner alone, as River's evaluate.progressive_val_score runs it: drifts are counted, nothing adapts.
        yaml += "adaptation:\n  policy: none\n  background_on_warning: false\nrollback:\n  enabled: false\n"
        if !optimizerLines.isEmpty { yaml += "optimizer:\n\(optimizerLines.joined(separator: "\n"))\n" }
        return yaml
    }
}
