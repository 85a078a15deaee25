import ArgumentParser
import EddyStore

/// `eddy show`: one model version in full, without dumping its state blob.
///
/// ```
/// $ eddy show 12 --db state/eddy.sqlite
/// version      12
/// parent       11
/// ...
/// ```
struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one model version: parent, reason, time, events, per-partition offsets, metrics, state size.",
        discussion: "Opens the database read-only, so it can run while `eddy run` writes to it."
    )

    @Argument(help: "The version id (see `eddy checkpoints`).")
    var version: Int64

    @Option(help: ArgumentHelp("The checkpoint database (the pipeline file's database path).", valueName: "path"))
    var db: String

    func run() throws {
        let store = try CheckpointStore(path: db, readOnly: true)
        guard let found = try store.version(version) else {
            throw StoreError.noSuchVersion(id: version, path: db)
        }
        print(VersionDetail.render(found), terminator: "")
    }
}
