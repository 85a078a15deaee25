import ArgumentParser
import EddyPipeline
import Foundation

/// `eddy validate`: checks pipeline files without running them.
///
/// ```
/// $ eddy validate pipelines/demo.yaml
/// pipelines/demo.yaml: ok (binary, logistic_regression/sgd, 3 features, topics: eddy-demo)
/// $ eddy validate broken.yaml
/// broken.yaml:14: unknown key 'lerner' in 'learner' section; allowed: kind, loss, intercept_lr
/// ```
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check pipeline files: unknown keys and bad values are reported with their line.",
        discussion: "`${VAR}` values are taken from the environment; a variable that is not set is an error."
    )

    @Argument(help: "Pipeline files (YAML).")
    var files: [String]

    func run() throws {
        var failed = false
        for file in files {
            do {
                let spec = try PipelineSpec.load(path: file, environment: ProcessInfo.processInfo.environment)
                print("\(file): ok (\(spec.summary))")
            } catch {
                failed = true
                FileHandle.standardError.write(Data("\(error)\n".utf8))
            }
        }
        if failed { throw ExitCode(1) }
    }
}
