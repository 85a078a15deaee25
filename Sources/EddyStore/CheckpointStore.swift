import Foundation
import GRDB

/// The SQLite database that keeps a pipeline's history: runs, model versions with their
/// resume offsets, metric series, drift events, rollbacks and dead letters.
///
/// Opening applies the schema migrations this program carries (`migrations/*.sql`), each in
/// its own transaction, and refuses a database written by a newer eddy. The database is in
/// WAL mode, so `eddy checkpoints` can read (``init(path:readOnly:)`` with `readOnly: true`)
/// while `eddy run` writes. Each ``save(_:)`` is one transaction.
///
/// ```swift
/// let store = try CheckpointStore(path: "state/fraud.sqlite")
/// let lock = try store.lock(pipeline: "fraud")
/// let run = try store.startRun(pipeline: "fraud", configJSON: #"{"learner":"logistic"}"#)
/// let restored = try store.latestVersion(pipeline: "fraud")
/// let id = try store.save(Checkpoint(pipeline: "fraud", runID: run, parentID: restored?.id,
///                                    reason: "periodic", eventsSeen: 100_000, partitions: progress,
///                                    state: blob, metrics: ["accuracy": 0.93]))
/// try store.stopRun(run, reason: "SIGTERM")
/// lock.release()
/// ```
public final class CheckpointStore: Sendable {
    /// The database file.
    public let path: String
    public let readOnly: Bool
    let queue: DatabaseQueue

    /// The ids of the migrations this program carries, in order.
    public static var knownMigrations: [String] { Migration.embedded.map(\.id) }

    /// Opens (creating it and its directory if needed) and migrates the database at `path`.
    /// With `readOnly`, the file must exist and be fully migrated; nothing is written.
    public convenience init(path: String, readOnly: Bool = false) throws(StoreError) {
        try self.init(path: path, readOnly: readOnly, migrations: Migration.embedded)
    }

    /// Opens with a given list of migrations (tests build old databases with a prefix of it).
    init(path: String, readOnly: Bool, migrations: [Migration]) throws(StoreError) {
        self.path = path
        self.readOnly = readOnly
        let directory = (path as NSString).deletingLastPathComponent
        if readOnly {
            guard FileManager.default.fileExists(atPath: path) else { throw .databaseMissing(path: path) }
        } else if !directory.isEmpty {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw .cannotCreateDirectory(path: directory, reason: error.localizedDescription)
            }
        }
        var configuration = Configuration()
        configuration.readonly = readOnly
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(10)
        configuration.label = "eddy-store"
        if !readOnly {
            configuration.prepareDatabase { db in
                let mode = try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")
                guard mode?.lowercased() == "wal" else {
                    throw StoreError.cannotOpen(path: path, reason: "WAL mode refused (journal_mode is \(mode ?? "unknown"))")
                }
                // Every checkpoint reaches the disk before its offsets are committed to Kafka.
                try db.execute(sql: "PRAGMA synchronous = FULL")
            }
        }
        let recorded: [String]?
        do {
            queue = try DatabaseQueue(path: path, configuration: configuration)
            recorded = try queue.read { db in try Migrator.recorded(db) }
        } catch let error as StoreError {
            throw error
        } catch {
            throw .cannotOpen(path: path, reason: describe(error))
        }
        if readOnly {
            try Migrator.checkNotNewer(recorded: recorded ?? [], known: migrations)
            if !Migrator.pending(recorded: recorded ?? [], known: migrations).isEmpty {
                throw .databaseNeedsUpgrade(path: path, found: recorded?.last, known: migrations.last?.id ?? "none")
            }
        } else {
            _ = try Migrator.migrate(queue, known: migrations)
        }
    }

    /// Takes the pipeline's lock on this database; see ``PipelineLock``.
    public func lock(pipeline: String) throws(StoreError) -> PipelineLock {
        guard !pipeline.isEmpty, pipeline.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }),
              pipeline != ".", pipeline != ".."
        else { throw .invalidPipelineName(pipeline) }
        return try PipelineLock(pipeline: pipeline, path: "\(path).\(pipeline).lock")
    }

    /// Records the start of a run; `configJSON` is the pipeline as run, without secrets.
    public func startRun(pipeline: String, configJSON: String) throws(StoreError) -> Int64 {
        try write("starting a run of '\(pipeline)'") { db in
            try db.execute(
                sql: "INSERT INTO runs (pipeline, config, started_at) VALUES (?, ?, ?)",
                arguments: [pipeline, configJSON, Timestamp.format(Date())])
            return db.lastInsertedRowID
        }
    }

    /// Records the end of a run and why it ended (e.g. "SIGTERM", "idle", "error: ...").
    public func stopRun(_ runID: Int64, reason: String) throws(StoreError) {
        let changed = try write("stopping run \(runID)") { db in
            try db.execute(
                sql: "UPDATE runs SET stopped_at = ?, stop_reason = ? WHERE id = ?",
                arguments: [Timestamp.format(Date()), reason, runID])
            return db.changesCount
        }
        if changed == 0 { throw .unknownRun(runID) }
    }

    /// Saves a checkpoint in one transaction and returns the new version's id. Either all of
    /// it is stored or, on any error, none of it.
    public func save(_ checkpoint: Checkpoint) throws(StoreError) -> Int64 {
        guard Checkpoint.reasons.contains(checkpoint.reason) else {
            throw .invalidCheckpoint("reason '\(checkpoint.reason)' is not one of \(Checkpoint.reasons.sorted().joined(separator: ", "))")
        }
        let offsets = try JSONText.offsets(checkpoint.partitions)
        let metrics = try JSONText.metrics(checkpoint.metrics)
        let now = Timestamp.format(Date())
        let c = checkpoint
        return try write("saving a checkpoint of '\(c.pipeline)'") { db in
            guard let owner = try String.fetchOne(db, sql: "SELECT pipeline FROM runs WHERE id = ?", arguments: [c.runID]) else {
                throw StoreError.unknownRun(c.runID)
            }
            guard owner == c.pipeline else {
                throw StoreError.invalidCheckpoint("run \(c.runID) belongs to pipeline '\(owner)', not '\(c.pipeline)'")
            }
            try db.execute(
                sql: """
                    INSERT INTO model_versions
                        (pipeline, run_id, parent_id, created_at, reason, events_seen, offsets, state, metrics)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [c.pipeline, c.runID, c.parentID, now, c.reason, c.eventsSeen, offsets, Data(c.state), metrics])
            let version = db.lastInsertedRowID
            if !c.partitions.isEmpty {
                let statement = try db.cachedStatement(sql: """
                    INSERT INTO version_offsets (version_id, topic, partition, next_offset, events_learned, dead_lettered)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """)
                for p in c.partitions {
                    try statement.execute(arguments: [version, p.topic, p.partition, p.nextOffset, p.eventsLearned, p.deadLettered])
                }
            }
            if !c.metricPoints.isEmpty {
                let statement = try db.cachedStatement(sql: """
                    INSERT INTO metrics (pipeline, run_id, version_id, recorded_at, events_seen, window, name, value)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """)
                for m in c.metricPoints {
                    try statement.execute(arguments: [
                        c.pipeline, c.runID, version, Timestamp.format(m.recordedAt), m.eventsSeen, m.window, m.name,
                        m.value.isNaN ? nil : m.value,
                    ])
                }
            }
            if !c.driftEvents.isEmpty {
                let statement = try db.cachedStatement(sql: """
                    INSERT INTO drift_events (pipeline, version_id, detected_at, events_seen, detector, kind, decision)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """)
                for d in c.driftEvents {
                    try statement.execute(arguments: [
                        c.pipeline, version, Timestamp.format(d.detectedAt), d.eventsSeen, d.detector, d.kind, d.decision,
                    ])
                }
            }
            if !c.rollbacks.isEmpty {
                let statement = try db.cachedStatement(sql: """
                    INSERT INTO rollbacks (pipeline, version_id, from_version, to_version, rolled_back_at, reason)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """)
                for r in c.rollbacks {
                    try statement.execute(arguments: [c.pipeline, version, r.fromVersion, r.toVersion, Timestamp.format(r.at), r.reason])
                }
            }
            for request in c.appliedRequests {
                try db.execute(
                    sql: "UPDATE rollback_requests SET applied_version = ?, applied_at = ? WHERE id = ? AND pipeline = ? AND applied_at IS NULL",
                    arguments: [version, now, request, c.pipeline])
                guard db.changesCount == 1 else {
                    throw StoreError.invalidCheckpoint("rollback request \(request) of '\(c.pipeline)' is not pending")
                }
            }
            if !c.deadLetters.isEmpty {
                let statement = try db.cachedStatement(sql: """
                    INSERT INTO dead_letters
                        (pipeline, version_id, topic, partition, offset, reason, payload_excerpt, payload_bytes, recorded_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
                for d in c.deadLetters {
                    try statement.execute(arguments: [
                        c.pipeline, version, d.topic, d.partition, d.offset, d.reason, d.payloadExcerpt, d.payloadSize,
                        Timestamp.format(d.at),
                    ])
                }
            }
            return version
        }
    }

    /// The newest version of a pipeline, or nil when it has none.
    public func latestVersion(pipeline: String) throws(StoreError) -> ModelVersion? {
        try newestVersion(pipeline: pipeline, condition: "", what: "latest version")
    }

    /// The newest version of a pipeline that is not a replay's (reason `replay`): where a live
    /// run resumes, so that a backfill never moves the live lineage. nil when there is none.
    public func latestLiveVersion(pipeline: String) throws(StoreError) -> ModelVersion? {
        try newestVersion(pipeline: pipeline, condition: " AND reason <> 'replay'", what: "latest live version")
    }

    /// The pipeline's newest version among those `condition` (an SQL `AND ...` suffix) admits.
    private func newestVersion(pipeline: String, condition: String, what: String) throws(StoreError) -> ModelVersion? {
        try read("reading the \(what) of '\(pipeline)'") { db in
            guard let id = try Int64.fetchOne(
                db, sql: "SELECT max(id) FROM model_versions WHERE pipeline = ?" + condition, arguments: [pipeline])
            else { return nil }
            return try Self.loadVersion(db, id: id)
        }
    }

    /// The version with this id, or nil.
    public func version(_ id: Int64) throws(StoreError) -> ModelVersion? {
        try read("reading version \(id)") { db in try Self.loadVersion(db, id: id) }
    }

    /// Versions of one pipeline (or of all, when nil), newest first, at most `limit`.
    public func versions(pipeline: String?, limit: Int? = nil) throws(StoreError) -> [ModelVersionSummary] {
        try read("listing versions") { db in
            var sql = "SELECT id, pipeline, parent_id, created_at, reason, events_seen, metrics FROM model_versions"
            var arguments: StatementArguments = []
            if let pipeline {
                sql += " WHERE pipeline = ?"
                arguments += [pipeline]
            }
            sql += " ORDER BY id DESC"
            if let limit {
                sql += " LIMIT ?"
                arguments += [limit]
            }
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
                let id: Int64 = row["id"]
                return ModelVersionSummary(
                    id: id, pipeline: row["pipeline"], parentID: row["parent_id"],
                    createdAt: try Self.time(row["created_at"], table: "model_versions", id: id),
                    reason: row["reason"], eventsSeen: row["events_seen"],
                    metrics: try JSONText.readMetrics(row["metrics"], id: id))
            }
        }
    }

    /// Per partition, as of `versionID` of `pipeline`: resume offset, events learned and
    /// dead-lettered (cumulative). Empty when the version is not the pipeline's.
    public func eventsLearned(pipeline: String, versionID: Int64) throws(StoreError) -> [PartitionProgress] {
        try read("reading the offsets of version \(versionID)") { db in
            try Self.partitions(db, version: versionID, pipeline: pipeline)
        }
    }

    /// How many dead letters the pipeline has recorded in all.
    public func deadLetterCount(pipeline: String) throws(StoreError) -> Int {
        try read("counting dead letters of '\(pipeline)'") { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM dead_letters WHERE pipeline = ?", arguments: [pipeline]) ?? 0
        }
    }

    // MARK: - Internals

    private static func loadVersion(_ db: Database, id: Int64) throws -> ModelVersion? {
        guard let row = try Row.fetchOne(
            db,
            sql: """
                SELECT id, pipeline, run_id, parent_id, created_at, reason, events_seen, state, metrics
                FROM model_versions WHERE id = ?
                """,
            arguments: [id])
        else { return nil }
        let pipeline: String = row["pipeline"]
        let state: Data? = row["state"]
        return ModelVersion(
            id: id, pipeline: pipeline, runID: row["run_id"], parentID: row["parent_id"],
            createdAt: try time(row["created_at"], table: "model_versions", id: id),
            reason: row["reason"], eventsSeen: row["events_seen"],
            partitions: try partitions(db, version: id, pipeline: pipeline),
            state: state.map { [UInt8]($0) } ?? [],
            metrics: try JSONText.readMetrics(row["metrics"], id: id))
    }

    private static func partitions(_ db: Database, version: Int64, pipeline: String) throws -> [PartitionProgress] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT o.topic, o.partition, o.next_offset, o.events_learned, o.dead_lettered
                FROM version_offsets AS o JOIN model_versions AS v ON v.id = o.version_id
                WHERE o.version_id = ? AND v.pipeline = ?
                ORDER BY o.topic, o.partition
                """,
            arguments: [version, pipeline]
        ).map { row in
            PartitionProgress(
                topic: row["topic"], partition: row["partition"], nextOffset: row["next_offset"],
                eventsLearned: row["events_learned"], deadLettered: row["dead_lettered"])
        }
    }

    static func time(_ text: String, table: String, id: Int64) throws(StoreError) -> Date {
        guard let date = Timestamp.parse(text) else {
            throw .corruptRow(table: table, id: id, reason: "'\(text)' is not an ISO-8601 UTC time")
        }
        return date
    }

    func write<T>(_ operation: String, _ body: (Database) throws -> T) throws(StoreError) -> T {
        guard !readOnly else { throw .readOnly(path: path) }
        do {
            return try queue.writeWithoutTransaction { db in
                var result: T?
                try db.inTransaction(.immediate) {
                    result = try body(db)
                    return .commit
                }
                return result!
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw .sqlite(operation: operation, reason: describe(error))
        }
    }

    func read<T>(_ operation: String, _ body: (Database) throws -> T) throws(StoreError) -> T {
        do {
            return try queue.read(body)
        } catch let error as StoreError {
            throw error
        } catch {
            throw .sqlite(operation: operation, reason: describe(error))
        }
    }
}
