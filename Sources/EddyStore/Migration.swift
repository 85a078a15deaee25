import GRDB

/// One schema migration: `migrations/<id>_<name>.sql`, carried in the binary by
/// `EmbeddedMigrations.swift` (regenerate with `ops/gen-migrations`).
struct Migration: Sendable, Equatable {
    var id: String
    var name: String
    var sql: String
}

/// Applies migrations in order, each in its own transaction together with its row in
/// `schema_migrations`.
enum Migrator {
    static let createTable = """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            id         TEXT PRIMARY KEY,
            name       TEXT NOT NULL,
            applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
        )
        """

    /// The ids recorded in `schema_migrations`, or nil when the table does not exist yet.
    static func recorded(_ db: Database) throws -> [String]? {
        guard try db.tableExists("schema_migrations") else { return nil }
        return try String.fetchAll(db, sql: "SELECT id FROM schema_migrations ORDER BY id")
    }

    /// Refuses a database that recorded a migration this program does not know.
    static func checkNotNewer(recorded: [String], known: [Migration]) throws(StoreError) {
        let knownIDs = Set(known.map(\.id))
        if let unknown = recorded.filter({ !knownIDs.contains($0) }).max() {
            throw .databaseNewerThanProgram(found: unknown, known: known.last?.id ?? "none")
        }
    }

    /// The migrations not yet recorded, in order.
    static func pending(recorded: [String], known: [Migration]) -> [Migration] {
        let done = Set(recorded)
        return known.filter { !done.contains($0.id) }
    }

    /// Brings the database up to the last of `known`; returns the ids applied.
    static func migrate(_ queue: DatabaseQueue, known: [Migration]) throws(StoreError) -> [String] {
        let recorded: [String]
        do {
            recorded = try queue.write { db in
                try db.execute(sql: createTable)
                return try Self.recorded(db) ?? []
            }
        } catch {
            throw .sqlite(operation: "reading schema_migrations", reason: describe(error))
        }
        try checkNotNewer(recorded: recorded, known: known)
        var applied: [String] = []
        for migration in pending(recorded: recorded, known: known) {
            do {
                try queue.inTransaction(.immediate) { db in
                    // Another process may have applied it since we looked; the write lock is ours now.
                    let done = try Bool.fetchOne(
                        db, sql: "SELECT 1 FROM schema_migrations WHERE id = ?", arguments: [migration.id]) ?? false
                    if done { return .rollback }
                    try db.execute(sql: migration.sql)
                    try db.execute(
                        sql: "INSERT INTO schema_migrations (id, name) VALUES (?, ?)",
                        arguments: [migration.id, migration.name])
                    return .commit
                }
            } catch {
                throw .migrationFailed(id: migration.id, name: migration.name, reason: describe(error))
            }
            applied.append(migration.id)
        }
        return applied
    }
}

/// SQLite's own message without GRDB's decoration of the statement, for error texts.
func describe(_ error: any Error) -> String {
    if let error = error as? DatabaseError {
        return error.message ?? "\(error.resultCode)"
    }
    return "\(error)"
}
