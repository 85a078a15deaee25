/// Everything that can go wrong with the checkpoint store, each with a message that says what
/// to do about it.
///
/// ```swift
/// do {
///     let store = try CheckpointStore(path: "state/eddy.sqlite")
///     let lock = try store.lock(pipeline: "fraud")
///     _ = lock
/// } catch {
///     print("eddy: \(error)")   // e.g. "pipeline 'fraud' is already running (pid 4242) on ..."
/// }
/// ```
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The directory that should hold the database could not be created.
    case cannotCreateDirectory(path: String, reason: String)
    /// A read-only open of a database file that does not exist.
    case databaseMissing(path: String)
    /// SQLite could not open the file (not a database, no permission, ...).
    case cannotOpen(path: String, reason: String)
    /// The database was written by a newer eddy: `found` is its newest migration, `known` ours.
    case databaseNewerThanProgram(found: String, known: String)
    /// A read-only open of a database that still lacks migrations this program needs.
    case databaseNeedsUpgrade(path: String, found: String?, known: String)
    /// Applying a migration failed; nothing of it was kept.
    case migrationFailed(id: String, name: String, reason: String)
    /// Another process holds the pipeline's lock on this database.
    case pipelineBusy(pipeline: String, holderPid: Int32?)
    /// A pipeline name that cannot be used in a lock file name.
    case invalidPipelineName(String)
    /// The lock file could not be created or locked for a reason other than another holder.
    case lockFailed(path: String, reason: String)
    /// A write on a store opened with `readOnly: true`.
    case readOnly(path: String)
    /// No run with this id (``CheckpointStore/startRun(pipeline:configJSON:)`` returns ids).
    case unknownRun(Int64)
    /// No model version with this id in the database.
    case noSuchVersion(id: Int64, path: String)
    /// A checkpoint that cannot be saved as given.
    case invalidCheckpoint(String)
    /// A row that does not read back (e.g. malformed JSON written by hand).
    case corruptRow(table: String, id: Int64, reason: String)
    /// Any other SQLite failure, with what was being done.
    case sqlite(operation: String, reason: String)

    public var description: String {
        switch self {
        case let .cannotCreateDirectory(path, reason):
            return "cannot create the directory for the database '\(path)': \(reason); check the path and its permissions"
        case let .databaseMissing(path):
            return "no database at '\(path)'; check --db, or run the pipeline once to create it"
        case let .cannotOpen(path, reason):
            return "cannot open the database '\(path)': \(reason); check that it is an eddy SQLite database and readable"
        case let .databaseNewerThanProgram(found, known):
            return "the database has schema migration \(found) but this eddy knows migrations only up to \(known); upgrade eddy to use this database"
        case let .databaseNeedsUpgrade(path, found, known):
            return "the database '\(path)' is at schema migration \(found ?? "none"), this eddy needs \(known); open it once with a writable eddy (e.g. eddy run) to upgrade it in place"
        case let .migrationFailed(id, name, reason):
            return "schema migration \(id)_\(name) failed and was rolled back: \(reason)"
        case let .pipelineBusy(pipeline, pid):
            let holder = pid.map { "pid \($0)" } ?? "another process"
            return "pipeline '\(pipeline)' is already running on this database (\(holder)); stop it first or use another database"
        case let .invalidPipelineName(name):
            return "pipeline name '\(name)' is not allowed; use letters, digits, '.', '_' and '-'"
        case let .lockFailed(path, reason):
            return "cannot lock '\(path)': \(reason); check that its directory is writable"
        case let .readOnly(path):
            return "the database '\(path)' was opened read-only; writes need a writable store"
        case let .unknownRun(id):
            return "no run \(id) in the database; start a run with startRun before saving or stopping it"
        case let .noSuchVersion(id, path):
            return "no model version \(id) in '\(path)'; `eddy checkpoints --db \(path)` lists them"
        case let .invalidCheckpoint(reason):
            return "invalid checkpoint: \(reason)"
        case let .corruptRow(table, id, reason):
            return "row \(id) of \(table) cannot be read: \(reason); the database was changed outside eddy"
        case let .sqlite(operation, reason):
            return "\(operation) failed: \(reason)"
        }
    }
}
