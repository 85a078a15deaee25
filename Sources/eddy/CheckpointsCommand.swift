import ArgumentParser
import EddyStore

/// `eddy checkpoints`: the model versions in a database, newest first, with their metrics.
///
/// ```
/// $ eddy checkpoints --db state/eddy.sqlite --pipeline fraud --limit 5
/// VERSION  PIPELINE  PARENT  CREATED                   REASON    EVENTS  accuracy
///       2  fraud          1  2026-11-29T16:40:00.123Z  periodic  200000    0.9312
/// ```
struct CheckpointsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkpoints",
        abstract: "List saved model versions with their metrics, newest first.",
        discussion: "Opens the database read-only, so it can run while `eddy run` writes to it."
    )

    @Option(help: ArgumentHelp("The checkpoint database (the pipeline file's database path).", valueName: "path"))
    var db: String

    @Option(help: "Only this pipeline's versions.")
    var pipeline: String?

    @Option(help: "Show at most this many versions.")
    var limit: Int = 20

    func validate() throws {
        guard limit > 0 else { throw ValidationError("--limit must be at least 1") }
    }

    func run() throws {
        let store = try CheckpointStore(path: db, readOnly: true)
        print(VersionTable.render(try store.versions(pipeline: pipeline, limit: limit)), terminator: "")
    }
}
