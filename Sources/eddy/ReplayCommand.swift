import ArgumentParser
import EddyPipeline
import EddyRunner
import Foundation
import Logging

/// `eddy replay`: backfill. Learns from a bounded range of the pipeline's topics, by offsets or
/// by record timestamps, into a lineage of replay versions; never touches a consumer group.
///
/// ```
/// $ eddy replay pipelines/demo.yaml --from-offset 0 --to-offset 100000
/// $ eddy replay pipelines/demo.yaml --from-time 2026-11-28T00:00:00Z --to-time 2026-11-29T00:00:00Z --from-version 12
/// ```
struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Backfill: learn from a bounded range of the pipeline's topics into versions of reason 'replay'.",
        discussion: """
            The range is either offsets, [--from-offset, --to-offset) on every partition of the pipeline's topics \
            (default: from each partition's first record to its end when the replay starts), or record timestamps, \
            [--from-time, --to-time) (ISO-8601 or milliseconds since the Unix epoch; either side may be left open). \
            --partition restricts it to some partition numbers. A time range is exact on any broker: every \
            selected partition is read whole and only records whose timestamps fall in the range are learned.
            Reads without a consumer group: no group's committed offsets change. Partitions are read one at a \
            time in (topic, partition) order, each in offset order, so the same range and pipeline file give \
            bitwise the same model. Malformed events are dead-lettered into the database and not learned.
            Trains a fresh model, or with --from-version continues from that version of the pipeline. Writes a \
            'runs' row and versions with reason 'replay' (every checkpoint.every_events events and at the end), \
            each the child of the one before. `eddy run` never resumes from a replay version; `eddy rollback --to V` \
            makes one live. SIGTERM/SIGINT stop the replay after the batch in hand: what was learned is saved \
            as a version, the run's stop_reason says it was interrupted, and the exit status is 1.
            Progress goes to standard error; the last line on standard output is a JSON summary.
            """
    )

    @Argument(help: "The pipeline file (see pipelines/).")
    var pipeline: String

    @Option(help: "First offset to read (default: each partition's first stored record).")
    var fromOffset: Int64?

    @Option(help: "Offset to stop before (default: each partition's end when the replay starts).")
    var toOffset: Int64?

    @Option(help: ArgumentHelp("First record time to learn, inclusive: ISO-8601 or epoch milliseconds.", valueName: "time"))
    var fromTime: String?

    @Option(help: ArgumentHelp("Record time to stop before, exclusive: ISO-8601 or epoch milliseconds.", valueName: "time"))
    var toTime: String?

    @Option(name: .customLong("partition"), help: ArgumentHelp("Replay only this partition number of each topic (repeatable).", valueName: "n"))
    var partitions: [Int32] = []

    @Option(help: ArgumentHelp("Warm start: continue from this version of the pipeline (default: a fresh model).", valueName: "id"))
    var fromVersion: Int64?

    @Option(help: "Progress display on standard error: auto (a bar on a terminal, lines otherwise), bar, lines or none.")
    var progress: String = "auto"

    @OptionGroup var log: LogOptions

    func validate() throws {
        guard ProgressBar.Style(rawValue: progress) != nil else {
            throw ValidationError("--progress '\(progress)' is not one of auto, bar, lines, none")
        }
        if (fromOffset != nil || toOffset != nil) && (fromTime != nil || toTime != nil) {
            throw ValidationError("give an offset range (--from-offset/--to-offset) or a time range (--from-time/--to-time), not both")
        }
        do {
            _ = try range()
        } catch {
            throw ValidationError("\(error)")
        }
    }

    func range() throws -> ReplayRange {
        let only = partitions.isEmpty ? nil : partitions
        if fromTime != nil || toTime != nil {
            return try ReplayRange(time: try fromTime.map(ReplayRange.parseTime), to: try toTime.map(ReplayRange.parseTime), partitions: only)
        }
        return try ReplayRange(offsets: fromOffset, to: toOffset, partitions: only)
    }

    func run() throws {
        log.bootstrap()
        let spec = try PipelineSpec.load(path: pipeline, environment: ProcessInfo.processInfo.environment)
        let bar = ProgressBar(style: ProgressBar.Style(rawValue: progress)!)
        let summary = try PipelineReplay(spec: spec, range: try range(), warmStart: fromVersion, logger: Logger(label: "eddy.replay"))
            .run(stop: .onTerminationSignals(), progress: bar.show)
        let fields: [(String, String)] = [
            ("pipeline", "\"\(spec.name)\""), ("run", "\(summary.runID)"),
            ("warm_start", summary.warmStart.map(String.init) ?? "null"),
            ("first_version", summary.firstVersion.map(String.init) ?? "null"),
            ("last_version", summary.lastVersion.map(String.init) ?? "null"),
            ("records_read", "\(summary.recordsRead)"),
            ("events_learned", "\(summary.eventsLearned)"), ("dead_lettered", "\(summary.deadLettered)"),
            ("checkpoints", "\(summary.checkpoints)"), ("drifts", "\(summary.drifts)"),
            ("active_seconds", "\(summary.activeSeconds)"), ("interrupted", "\(summary.interrupted)"),
        ]
        print("{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}")
        if summary.interrupted { throw ExitCode(1) }
    }
}
