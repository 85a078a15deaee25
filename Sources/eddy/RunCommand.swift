import ArgumentParser
import EddyPipeline
import EddyRunner
import Foundation
import Logging

/// `eddy run`: the long-lived service. Learns from the pipeline's topics, checkpoints into
/// its database, stops cleanly on SIGTERM/SIGINT (batch finished, checkpoint, commit, close).
///
/// ```
/// $ eddy run pipelines/demo.yaml --until-idle 10
/// ```
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a pipeline: consume, predict, learn, checkpoint to SQLite, watch for drift.",
        discussion: """
            Runs until SIGTERM or SIGINT (or, with --until-idle, until every partition of its topics is assigned to it, \
            read to its end and quiet that long), then finishes the batch in hand, saves a checkpoint, commits offsets and exits.
            At start it resumes from the newest version in the pipeline's database (versions written by \
            `eddy replay` excepted) and reads each partition from the offset stored with it: a restart \
            neither loses nor repeats training.
            Logs go to standard error; the last line on standard output is a JSON summary.
            """
    )

    @Argument(help: "The pipeline file (see pipelines/).")
    var pipeline: String

    @Option(help: "Stop once the topics are drained and quiet for this many seconds (default: run until stopped).")
    var untilIdle: Double?

    @Option(help: "Seconds between progress lines.")
    var progressEvery: Double = 5

    @OptionGroup var log: LogOptions

    func validate() throws {
        if let untilIdle, untilIdle <= 0 { throw ValidationError("--until-idle must be positive") }
        guard progressEvery > 0 else { throw ValidationError("--progress-every must be positive") }
    }

    func run() throws {
        log.bootstrap()
        let spec = try PipelineSpec.load(path: pipeline, environment: ProcessInfo.processInfo.environment)
        let options = RunOptions(untilIdle: untilIdle.map { .milliseconds(Int64($0 * 1000)) },
                                 progressEvery: .milliseconds(Int64(progressEvery * 1000)))
        let summary = try PipelineRunner(spec: spec, logger: Logger(label: "eddy.run"))
            .run(options: options, stop: .onTerminationSignals())
        let fields: [(String, String)] = [
            ("pipeline", "\"\(spec.name)\""), ("run", "\(summary.runID)"),
            ("restored_version", summary.restoredVersion.map(String.init) ?? "null"),
            ("last_version", summary.lastVersion.map(String.init) ?? "null"),
            ("events_learned", "\(summary.eventsLearned)"), ("dead_lettered", "\(summary.deadLettered)"),
            ("checkpoints", "\(summary.checkpoints)"), ("drifts", "\(summary.drifts)"),
            ("rollbacks", "\(summary.rollbacks)"),
            ("active_seconds", "\(summary.activeSeconds)"),
        ]
        print("{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}")
    }
}
