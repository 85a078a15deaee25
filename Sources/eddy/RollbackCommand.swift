import ArgumentParser
import EddyStore
import Foundation

/// `eddy rollback`: asks a pipeline to go back to an earlier model version, or lists its
/// rollbacks. A request is applied by the pipeline's `eddy run` at its next batch (or when it
/// next starts): it restores that version's model, keeps reading from the current offsets and
/// saves the result as a new version descending from it.
///
/// ```
/// $ eddy rollback --db eddy-demo.db --pipeline demo --to 7
/// $ eddy rollback --db eddy-demo.db --pipeline demo --list
/// ```
struct RollbackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback",
        abstract: "Roll a pipeline's live model back to an earlier version, or list its rollbacks.",
        discussion: """
            --to V leaves a request in the database; the pipeline's running `eddy run` applies it at its \
            next batch (a stopped pipeline applies it when it starts): the model of version V comes back, \
            reading goes on from the current offsets (nothing is re-read or skipped), and the result is \
            saved at once as a new version (reason rollback) whose parent is V, with a row in the \
            rollbacks table. --list shows the rollbacks done (automatic and manual) and requests still \
            pending.
            """
    )

    @Option(help: ArgumentHelp("The checkpoint database (the pipeline file's database path).", valueName: "path"))
    var db: String

    @Option(help: "The pipeline's name.")
    var pipeline: String

    @Option(help: ArgumentHelp("The version to go back to (see `eddy checkpoints`).", valueName: "version"))
    var to: Int64?

    @Flag(help: "List the pipeline's rollbacks and pending requests.")
    var list = false

    @Option(help: "Why, for the rollbacks table.")
    var reason: String?

    func validate() throws {
        guard (to == nil) != !list else { throw ValidationError("give either --to VERSION or --list") }
        if list && reason != nil { throw ValidationError("--reason goes with --to") }
    }

    func run() throws {
        if let to {
            let store = try CheckpointStore(path: db)
            let why = "manual: " + (reason ?? "eddy rollback --to \(to)")
            let id = try store.requestRollback(pipeline: pipeline, to: to, reason: why)
            print("rollback request \(id): pipeline \(pipeline) goes back to version \(to) at its next batch (or when it next starts)")
            return
        }
        let store = try CheckpointStore(path: db, readOnly: true)
        let pending = try store.pendingRollbackRequests(pipeline: pipeline)
        for request in pending {
            print("pending  request \(request.id): to v\(request.toVersion), asked \(Timestamp.format(request.requestedAt)): \(request.reason)")
        }
        for request in try store.rollbackRequests(pipeline: pipeline) {
            if let refusal = request.refusal { print("refused  request \(request.id): to v\(request.toVersion): \(refusal)") }
        }
        let done = try store.rollbacks(pipeline: pipeline)
        if done.isEmpty && pending.isEmpty { print("no rollbacks for pipeline \(pipeline)") }
        for (version, r) in done {
            let from = r.fromVersion.map { "v\($0)" } ?? "-"
            let saved = version.map { " (saved as v\($0))" } ?? ""
            print("\(Timestamp.format(r.at))  \(from) -> v\(r.toVersion)\(saved): \(r.reason)")
        }
    }
}
