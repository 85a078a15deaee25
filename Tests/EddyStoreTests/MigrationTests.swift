import Foundation
import GRDB
import Testing
@testable import EddyStore

@Suite struct MigrationTests {
    /// The binary's copy of the schema must be the files in migrations/, byte for byte.
    @Test func embeddedMigrationsMatchTheSQLFiles() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let directory = root.appendingPathComponent("migrations")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".sql") }.sorted()
        let onDisk = try files.map { file in
            let stem = String(file.dropLast(4))
            let separator = stem.firstIndex(of: "_")!
            return Migration(
                id: String(stem[..<separator]), name: String(stem[stem.index(after: separator)...]),
                sql: try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8))
        }
        #expect(onDisk.count >= 2)
        #expect(onDisk == Migration.embedded, "migrations/ and EmbeddedMigrations.swift differ: run ops/gen-migrations")
        #expect(CheckpointStore.knownMigrations == onDisk.map(\.id))
    }

    @Test func migrationsAreAppliedAndRecordedOnceEach() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let path = dir.file("nested/dir/eddy.sqlite")
        let store = try CheckpointStore(path: path)
        let recorded = try store.queue.read { (db: Database) throws in
            try Row.fetchAll(db, sql: "SELECT id, name, applied_at FROM schema_migrations ORDER BY id")
        }
        #expect(recorded.map { $0["id"] as String } == CheckpointStore.knownMigrations)
        #expect(recorded.map { $0["name"] as String } == Migration.embedded.map(\.name))
        for row in recorded {
            #expect(Timestamp.parse(row["applied_at"]) != nil)
        }
        let tables = try store.queue.read { (db: Database) throws in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') ORDER BY name")
        }
        for name in ["runs", "model_versions", "version_offsets", "metrics", "drift_events", "rollbacks", "dead_letters",
                     "latest_versions", "events_per_partition", "dead_letter_reasons", "drift_timeline"] {
            #expect(tables.contains(name), "missing \(name)")
        }
        // Reopening finds nothing to do, and the records are untouched.
        let again = try CheckpointStore(path: path)
        #expect(try Migrator.migrate(again.queue, known: Migration.embedded) == [])
        let after = try again.queue.read { (db: Database) throws in
            try Row.fetchAll(db, sql: "SELECT id, name, applied_at FROM schema_migrations ORDER BY id")
        }
        #expect(after == recorded)
    }

    @Test func walModeIsOn() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let store = try CheckpointStore(path: dir.file("eddy.sqlite"))
        #expect(try store.queue.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") } == "wal")
        // WAL is a property of the file: a plain connection sees it too.
        #expect(try rawQueue(dir.file("eddy.sqlite")).read { try String.fetchOne($0, sql: "PRAGMA journal_mode") } == "wal")
    }

    @Test func aDatabaseFromANewerProgramIsRefused() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let path = dir.file("eddy.sqlite")
        _ = try CheckpointStore(path: path)
        try rawQueue(path).write { (db: Database) throws in
            try db.execute(sql: "INSERT INTO schema_migrations (id, name) VALUES ('9999', 'from_the_future')")
        }
        let known = CheckpointStore.knownMigrations.last!
        #expect(throws: StoreError.databaseNewerThanProgram(found: "9999", known: known)) {
            try CheckpointStore(path: path)
        }
        #expect(throws: StoreError.databaseNewerThanProgram(found: "9999", known: known)) {
            try CheckpointStore(path: path, readOnly: true)
        }
        let message = StoreError.databaseNewerThanProgram(found: "9999", known: known).description
        #expect(message.contains("upgrade eddy"))
        // An older program (knowing only the first migration) refuses today's database the same way.
        #expect(throws: StoreError.databaseNewerThanProgram(found: "9999", known: "0001")) {
            try CheckpointStore(path: path, readOnly: false, migrations: [Migration.embedded[0]])
        }
    }

    /// A database made by the first migration only, with rows in every table, is upgraded in
    /// place and keeps them.
    @Test func aFirstMigrationDatabaseIsUpgradedInPlaceWithRowsKept() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let path = dir.file("old.sqlite")
        let old = try CheckpointStore(path: path, readOnly: false, migrations: [Migration.embedded[0]])
        try old.queue.write { (db: Database) throws in
            #expect(try String.fetchAll(db, sql: "SELECT id FROM schema_migrations") == ["0001"])
            #expect(try !db.viewExists("latest_versions"))
            try db.execute(sql: """
                INSERT INTO runs (id, pipeline, config, started_at) VALUES (1, 'fraud', '{"learner":"logistic"}', '2026-11-01T10:00:00.000Z');
                INSERT INTO model_versions (id, pipeline, run_id, parent_id, created_at, reason, events_seen, offsets, state, metrics)
                VALUES (1, 'fraud', 1, NULL, '2026-11-01T10:05:00.000Z', 'periodic', 1000,
                        '[{"next_offset":1000,"partition":0,"topic":"payments"}]', x'00ff10', '{"accuracy":0.75}');
                INSERT INTO version_offsets VALUES (1, 'payments', 0, 1000, 998, 2);
                INSERT INTO metrics (pipeline, run_id, version_id, recorded_at, events_seen, window, name, value)
                VALUES ('fraud', 1, 1, '2026-11-01T10:04:00.000Z', 900, 'rolling', 'accuracy', 0.74);
                INSERT INTO drift_events (pipeline, version_id, detected_at, events_seen, detector, kind, decision)
                VALUES ('fraud', 1, '2026-11-01T10:03:00.000Z', 800, 'adwin', 'warning', 'started a background model');
                INSERT INTO dead_letters (pipeline, version_id, topic, partition, offset, reason, payload_excerpt, recorded_at)
                VALUES ('fraud', 1, 'payments', 0, 17, 'malformed JSON', '{"amount":', '2026-11-01T10:01:00.000Z'),
                       ('fraud', 1, 'payments', 0, 99, 'label missing', '{}', '2026-11-01T10:02:00.000Z');
                """)
        }
        // A read-only opener (eddy checkpoints) cannot upgrade, and says how to.
        #expect(throws: StoreError.databaseNeedsUpgrade(path: path, found: "0001", known: CheckpointStore.knownMigrations.last!)) {
            try CheckpointStore(path: path, readOnly: true)
        }

        let store = try CheckpointStore(path: path)
        let ids = try store.queue.read { try String.fetchAll($0, sql: "SELECT id FROM schema_migrations ORDER BY id") }
        #expect(ids == CheckpointStore.knownMigrations)
        let version = try #require(try store.latestVersion(pipeline: "fraud"))
        #expect(version.state == [0x00, 0xff, 0x10])
        #expect(version.metrics == ["accuracy": 0.75])
        #expect(version.createdAt == millis(1_793_527_500_000))
        #expect(version.partitions == [PartitionProgress(topic: "payments", partition: 0, nextOffset: 1000, eventsLearned: 998, deadLettered: 2)])
        #expect(try store.deadLetterCount(pipeline: "fraud") == 2)
        try store.queue.read { (db: Database) throws in
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM metrics") == 1)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM drift_events") == 1)
            // The column 0002 added is there, unknown (NULL) for the old rows.
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM dead_letters WHERE payload_bytes IS NULL") == 2)
            // The views 0002 added see the old rows.
            #expect(try Int.fetchOne(db, sql: "SELECT events_learned FROM events_per_partition WHERE pipeline = 'fraud'") == 998)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM dead_letter_reasons") == 2)
        }
        // And the upgraded database takes new checkpoints.
        let run = try store.startRun(pipeline: "fraud", configJSON: "{}")
        let next = try store.save(simpleCheckpoint(pipeline: "fraud", run: run, parent: version.id, events: 2000))
        #expect(try store.latestVersion(pipeline: "fraud")?.id == next)
    }

    @Test func aFailingMigrationLeavesNothingBehind() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let path = dir.file("eddy.sqlite")
        let broken = Migration(id: "0002", name: "broken", sql: "CREATE TABLE half (x INTEGER); INSERT INTO no_such_table VALUES (1);")
        #expect(throws: StoreError.migrationFailed(id: "0002", name: "broken", reason: "no such table: no_such_table")) {
            try CheckpointStore(path: path, readOnly: false, migrations: [Migration.embedded[0], broken])
        }
        try rawQueue(path).read { (db: Database) throws in
            #expect(try String.fetchAll(db, sql: "SELECT id FROM schema_migrations") == ["0001"])
            #expect(try !db.tableExists("half"))
        }
    }

    @Test func readOnlyOpeningOfAMissingFileSaysSo() {
        #expect(throws: StoreError.databaseMissing(path: "/nonexistent/eddy.sqlite")) {
            try CheckpointStore(path: "/nonexistent/eddy.sqlite", readOnly: true)
        }
    }

    @Test func aFileThatIsNotADatabaseIsRefusedClearly() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let path = dir.file("notes.sqlite")
        try Data(repeating: 0x41, count: 4096).write(to: URL(fileURLWithPath: path))
        do {
            _ = try CheckpointStore(path: path)
            Issue.record("opened a file that is not a database")
        } catch {
            guard case .cannotOpen(let p, let reason) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(p == path)
            #expect(reason.contains("not a database"))
        }
    }
}
