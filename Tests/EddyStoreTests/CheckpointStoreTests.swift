import Foundation
import GRDB
import Testing
@testable import EddyStore

@Suite struct CheckpointStoreTests {
    @Test func aCheckpointRoundTrips() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let store = try CheckpointStore(path: dir.file("eddy.sqlite"))
        let run = try store.startRun(pipeline: "fraud", configJSON: #"{"learner":{"kind":"logistic"}}"#)
        // Every byte value, plus a run of zeros: the blob must come back bitwise.
        let state = (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) } + [UInt8](repeating: 0, count: 100)
        let partitions = [
            PartitionProgress(topic: "payments", partition: 2, nextOffset: 700, eventsLearned: 690, deadLettered: 10),
            PartitionProgress(topic: "payments", partition: 0, nextOffset: 1_000_000_000_000, eventsLearned: 5, deadLettered: 0),
            PartitionProgress(topic: "clicks", partition: 1, nextOffset: 0, eventsLearned: 0, deadLettered: 0),
        ]
        let metrics = ["accuracy": 0.1 + 0.2, "log_loss": 5e-324, "r2": -.infinity, "mae": .nan, "count": 1e300]
        let id = try store.save(Checkpoint(
            pipeline: "fraud", runID: run, parentID: nil, reason: "shutdown", eventsSeen: 695,
            partitions: partitions, state: state, metrics: metrics))
        let loaded = try #require(try store.version(id))
        #expect(loaded.id == id)
        #expect(loaded.pipeline == "fraud")
        #expect(loaded.runID == run)
        #expect(loaded.parentID == nil)
        #expect(loaded.reason == "shutdown")
        #expect(loaded.eventsSeen == 695)
        #expect(loaded.state == state)
        #expect(loaded.partitions == partitions.sorted { ($0.topic, $0.partition) < ($1.topic, $1.partition) })
        #expect(loaded.metrics.count == metrics.count)
        for (name, value) in metrics {
            let back = try #require(loaded.metrics[name])
            #expect(back.bitPattern == value.bitPattern || (back.isNaN && value.isNaN), "\(name): \(back) != \(value)")
        }
        #expect(abs(loaded.createdAt.timeIntervalSinceNow) < 60)
        // (Not compared whole: the NaN metric makes `==` false.)
        let latest = try #require(try store.latestVersion(pipeline: "fraud"))
        #expect(latest.id == id && latest.state == state && latest.partitions == loaded.partitions)
        #expect(try store.latestVersion(pipeline: "other") == nil)
        #expect(try store.version(id + 1) == nil)
        #expect(try store.eventsLearned(pipeline: "fraud", versionID: id) == loaded.partitions)
        #expect(try store.eventsLearned(pipeline: "other", versionID: id) == [])
        // The offsets JSON a person reads in sqlite3.
        let offsets = try store.queue.read { try String.fetchOne($0, sql: "SELECT offsets FROM model_versions WHERE id = ?", arguments: [id]) }
        #expect(offsets == #"[{"next_offset":700,"partition":2,"topic":"payments"},{"next_offset":1000000000000,"partition":0,"topic":"payments"},{"next_offset":0,"partition":1,"topic":"clicks"}]"#)
    }

    @Test func sideRecordsAreStoredWithTheirVersion() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let store = try CheckpointStore(path: dir.file("eddy.sqlite"))
        let run = try store.startRun(pipeline: "fraud", configJSON: "{}")
        let first = try store.save(simpleCheckpoint(pipeline: "fraud", run: run, parent: nil, events: 10))
        let payload: [UInt8] = Array(repeating: UInt8(ascii: "x"), count: 255) + [0xE2, 0x82, 0xAC] + [UInt8](repeating: 0x41, count: 100)
        var checkpoint = simpleCheckpoint(pipeline: "fraud", run: run, parent: first, events: 20)
        checkpoint.reason = "rollback"
        checkpoint.metricPoints = [
            MetricPoint(recordedAt: millis(1_793_527_500_123), eventsSeen: 15, window: "rolling", name: "accuracy", value: 0.25),
            MetricPoint(recordedAt: millis(1_793_527_500_124), eventsSeen: 15, window: "cumulative", name: "r2", value: .nan),
        ]
        checkpoint.driftEvents = [DriftEventRecord(detectedAt: millis(1_793_527_500_200), eventsSeen: 17, detector: "adwin", kind: "drift", decision: "rolled back")]
        checkpoint.rollbacks = [RollbackRecord(fromVersion: nil, toVersion: first, at: millis(1_793_527_500_300), reason: "loss rose")]
        checkpoint.deadLetters = [
            DeadLetter(topic: "events", partition: 0, offset: 12, reason: "oversize message", payload: payload, at: millis(1_793_527_500_400)),
            DeadLetter(topic: "events", partition: 0, offset: 13, reason: "malformed JSON", payload: [0x7B, 0xFF, 0x7D], at: millis(1_793_527_500_401)),
        ]
        let second = try store.save(checkpoint)
        #expect(try store.deadLetterCount(pipeline: "fraud") == 2)
        #expect(try store.deadLetterCount(pipeline: "other") == 0)
        try store.queue.read { (db: Database) throws in
            let points = try Row.fetchAll(db, sql: "SELECT version_id, recorded_at, events_seen, window, name, value FROM metrics ORDER BY id")
            #expect(points.map { $0["version_id"] as Int64 } == [second, second])
            #expect(points.map { $0["recorded_at"] as String } == ["2026-11-01T10:05:00.123Z", "2026-11-01T10:05:00.124Z"])
            #expect(points[0]["value"] as Double? == 0.25)
            #expect(points[1]["value"] as Double? == nil)
            let drift = try #require(try Row.fetchOne(db, sql: "SELECT * FROM drift_events"))
            #expect(drift["detected_at"] as String == "2026-11-01T10:05:00.200Z")
            #expect(drift["kind"] as String == "drift")
            let rollback = try #require(try Row.fetchOne(db, sql: "SELECT * FROM rollbacks"))
            #expect(rollback["from_version"] as Int64? == nil)
            #expect(rollback["to_version"] as Int64 == first)
            #expect(rollback["version_id"] as Int64 == second)
            let letters = try Row.fetchAll(db, sql: "SELECT offset, reason, payload_excerpt, payload_bytes FROM dead_letters ORDER BY offset")
            // 256 bytes kept: the euro sign is cut after its first byte, which becomes U+FFFD.
            #expect(letters[0]["payload_excerpt"] as String == String(repeating: "x", count: 255) + "\u{FFFD}")
            #expect(letters[0]["payload_bytes"] as Int == 358)
            #expect(letters[1]["payload_excerpt"] as String == "{\u{FFFD}}")
            #expect(letters[1]["payload_bytes"] as Int == 3)
        }
    }

    /// A constraint failing in the middle (a dead letter with a negative offset) must leave
    /// no trace of the checkpoint: no version row, no offsets, no metric points.
    @Test func aCheckpointIsAtomic() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let store = try CheckpointStore(path: dir.file("eddy.sqlite"))
        let run = try store.startRun(pipeline: "fraud", configJSON: "{}")
        let good = try store.save(simpleCheckpoint(pipeline: "fraud", run: run, parent: nil, events: 10))
        var bad = simpleCheckpoint(pipeline: "fraud", run: run, parent: good, events: 20)
        bad.metricPoints = [MetricPoint(recordedAt: Date(), eventsSeen: 20, window: "rolling", name: "accuracy", value: 1)]
        bad.driftEvents = [DriftEventRecord(detectedAt: Date(), eventsSeen: 20, detector: "adwin", kind: "drift", decision: "none")]
        bad.deadLetters = [
            DeadLetter(topic: "events", partition: 0, offset: 5, reason: "malformed JSON", payload: [1], at: Date()),
            DeadLetter(topic: "events", partition: 0, offset: -1, reason: "malformed JSON", payload: [1], at: Date()),
        ]
        do {
            _ = try store.save(bad)
            Issue.record("a dead letter with offset -1 was saved")
        } catch {
            guard case .sqlite(let operation, let reason) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(operation == "saving a checkpoint of 'fraud'")
            #expect(reason.contains("CHECK constraint failed"))
        }
        #expect(try store.latestVersion(pipeline: "fraud")?.id == good)
        try store.queue.read { (db: Database) throws in
            for table in ["model_versions", "version_offsets"] {
                #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)") == 1, "\(table)")
            }
            for table in ["metrics", "drift_events", "dead_letters"] {
                #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)") == 0, "\(table)")
            }
        }
        // The store goes on working after the failed transaction.
        #expect(try store.save(simpleCheckpoint(pipeline: "fraud", run: run, parent: good, events: 20)) > good)
    }

    @Test func badCheckpointsAreRefusedWithReasons() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let store = try CheckpointStore(path: dir.file("eddy.sqlite"))
        let run = try store.startRun(pipeline: "fraud", configJSON: "{}")
        var odd = simpleCheckpoint(pipeline: "fraud", run: run, parent: nil, events: 1)
        odd.reason = "because"
        #expect(throws: StoreError.invalidCheckpoint(
            "reason 'because' is not one of drift-swap, manual, periodic, replay, revoke, rollback, shutdown")) {
            try store.save(odd)
        }
        #expect(throws: StoreError.unknownRun(run + 1)) {
            try store.save(simpleCheckpoint(pipeline: "fraud", run: run + 1, parent: nil, events: 1))
        }
        #expect(throws: StoreError.invalidCheckpoint("run \(run) belongs to pipeline 'fraud', not 'other'")) {
            try store.save(simpleCheckpoint(pipeline: "other", run: run, parent: nil, events: 1))
        }
        #expect(throws: StoreError.unknownRun(99)) { try store.stopRun(99, reason: "done") }
        #expect(throws: StoreError.self) {
            try store.startRun(pipeline: "fraud", configJSON: "not json")
        }
        #expect(try store.versions(pipeline: nil) == [])
    }

    /// The schema's CHECK on model_versions.reason and `Checkpoint.reasons` agree.
    @Test func everyDocumentedReasonIsAccepted() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let store = try CheckpointStore(path: dir.file("eddy.sqlite"))
        let run = try store.startRun(pipeline: "fraud", configJSON: "{}")
        for reason in Checkpoint.reasons.sorted() {
            var checkpoint = simpleCheckpoint(pipeline: "fraud", run: run, parent: nil, events: 1)
            checkpoint.reason = reason
            let id = try store.save(checkpoint)
            #expect(try store.version(id)?.reason == reason)
        }
        #expect(Checkpoint.reasons == ["periodic", "shutdown", "revoke", "drift-swap", "rollback", "replay", "manual"])
    }

    @Test func runsAreRecorded() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let store = try CheckpointStore(path: dir.file("eddy.sqlite"))
        let run = try store.startRun(pipeline: "fraud", configJSON: #"{"brokers":"localhost:9092"}"#)
        try store.stopRun(run, reason: "SIGTERM")
        let row = try #require(try store.queue.read { try Row.fetchOne($0, sql: "SELECT * FROM runs") })
        #expect(row["pipeline"] as String == "fraud")
        #expect(row["config"] as String == #"{"brokers":"localhost:9092"}"#)
        #expect(row["stop_reason"] as String == "SIGTERM")
        let started = try #require(Timestamp.parse(row["started_at"]))
        let stopped = try #require(Timestamp.parse(row["stopped_at"]))
        #expect(started <= stopped)
    }

    @Test func versionsAreListedNewestFirstPerPipeline() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let store = try CheckpointStore(path: dir.file("eddy.sqlite"))
        let a = try store.startRun(pipeline: "a", configJSON: "{}")
        let b = try store.startRun(pipeline: "b", configJSON: "{}")
        let a1 = try store.save(simpleCheckpoint(pipeline: "a", run: a, parent: nil, events: 10))
        let b1 = try store.save(simpleCheckpoint(pipeline: "b", run: b, parent: nil, events: 5))
        let a2 = try store.save(simpleCheckpoint(pipeline: "a", run: a, parent: a1, events: 20))
        #expect(try store.versions(pipeline: "a").map(\.id) == [a2, a1])
        #expect(try store.versions(pipeline: "a").map(\.parentID) == [a1, nil])
        #expect(try store.versions(pipeline: nil).map(\.id) == [a2, b1, a1])
        #expect(try store.versions(pipeline: nil, limit: 2).map(\.id) == [a2, b1])
        #expect(try store.versions(pipeline: "b").first?.metrics == ["accuracy": 0.5])
        #expect(try store.latestVersion(pipeline: "a")?.id == a2)
        #expect(try store.latestVersion(pipeline: "b")?.id == b1)
    }

    @Test func aReadOnlyStoreReadsButDoesNotWrite() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let path = dir.file("eddy.sqlite")
        let writer = try CheckpointStore(path: path)
        let run = try writer.startRun(pipeline: "a", configJSON: "{}")
        let id = try writer.save(simpleCheckpoint(pipeline: "a", run: run, parent: nil, events: 10))
        let reader = try CheckpointStore(path: path, readOnly: true)
        #expect(try reader.version(id)?.eventsSeen == 10)
        #expect(throws: StoreError.readOnly(path: path)) { try reader.startRun(pipeline: "a", configJSON: "{}") }
        // The reader sees what the writer commits later (WAL: readers and the writer do not block each other).
        let next = try writer.save(simpleCheckpoint(pipeline: "a", run: run, parent: id, events: 20))
        #expect(try reader.latestVersion(pipeline: "a")?.id == next)
    }

    /// The issue's size: 1,000 dead letters and 100 metric points in one checkpoint.
    @Test func aLargeCheckpointSavesQuickly() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let store = try CheckpointStore(path: dir.file("eddy.sqlite"))
        let run = try store.startRun(pipeline: "fraud", configJSON: "{}")
        var checkpoint = simpleCheckpoint(pipeline: "fraud", run: run, parent: nil, events: 100_000, state: [UInt8](repeating: 7, count: 200_000))
        checkpoint.partitions = (0..<12).map {
            PartitionProgress(topic: "payments", partition: Int32($0), nextOffset: 8_400, eventsLearned: 8_250, deadLettered: 84)
        }
        let payload = Array(#"{"amount": "twelve", "merchant": "m-001", "label": 1, "pad": "................................"}"#.utf8)
        checkpoint.deadLetters = (0..<1_000).map {
            DeadLetter(topic: "payments", partition: Int32($0 % 12), offset: Int64($0), reason: "feature 'amount' is not a number",
                       payload: payload, at: Date())
        }
        checkpoint.metricPoints = (0..<100).map {
            MetricPoint(recordedAt: Date(), eventsSeen: $0 * 1000, window: $0 % 2 == 0 ? "rolling" : "cumulative", name: "accuracy", value: 0.9)
        }
        let clock = ContinuousClock()
        let elapsed = try clock.measure { _ = try store.save(checkpoint) }
        print("save of 1,000 dead letters + 100 metric points + 200 kB state: \(elapsed)")
        #expect(try store.deadLetterCount(pipeline: "fraud") == 1_000)
        // Milliseconds in release; a generous bound for a debug build on a busy CI machine.
        #expect(elapsed < .seconds(1))
    }
}
