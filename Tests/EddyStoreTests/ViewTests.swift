import Foundation
import GRDB
import Testing
@testable import EddyStore

/// The views of migrations/0002 on a small fixture: two pipelines, three versions, a few
/// dead letters, drift events and a rollback.
@Suite struct ViewTests {
    struct Fixture {
        let dir: TempDirectory
        let store: CheckpointStore
        let fraud1: Int64, fraud2: Int64, churn1: Int64

        init() throws {
            dir = try TempDirectory()
            store = try CheckpointStore(path: dir.file("eddy.sqlite"))
            let fraud = try store.startRun(pipeline: "fraud", configJSON: "{}")
            let churn = try store.startRun(pipeline: "churn", configJSON: "{}")
            var first = simpleCheckpoint(pipeline: "fraud", run: fraud, parent: nil, events: 0, state: [1, 2])
            first.partitions = [
                PartitionProgress(topic: "payments", partition: 0, nextOffset: 60, eventsLearned: 58, deadLettered: 2),
                PartitionProgress(topic: "payments", partition: 1, nextOffset: 40, eventsLearned: 40, deadLettered: 0),
            ]
            first.eventsSeen = 100
            first.deadLetters = [
                DeadLetter(topic: "payments", partition: 0, offset: 3, reason: "malformed JSON", payload: [0x7B], at: millis(1_795_970_400_001)),
                DeadLetter(topic: "payments", partition: 0, offset: 9, reason: "label missing", payload: [0x7B, 0x7D], at: millis(1_795_970_400_002)),
            ]
            first.driftEvents = [DriftEventRecord(detectedAt: millis(1_795_970_400_050), eventsSeen: 80, detector: "adwin", kind: "warning", decision: "background model started")]
            fraud1 = try store.save(first)
            var second = simpleCheckpoint(pipeline: "fraud", run: fraud, parent: fraud1, events: 0, state: [UInt8](repeating: 9, count: 10))
            second.reason = "drift-swap"
            second.eventsSeen = 200
            second.partitions = [
                PartitionProgress(topic: "payments", partition: 0, nextOffset: 110, eventsLearned: 105, deadLettered: 5),
                PartitionProgress(topic: "payments", partition: 1, nextOffset: 90, eventsLearned: 90, deadLettered: 0),
            ]
            second.deadLetters = (10..<13).map {
                DeadLetter(topic: "payments", partition: 0, offset: Int64($0), reason: "malformed JSON", payload: [0x7B], at: millis(1_795_970_400_100 + Int64($0)))
            }
            second.driftEvents = [DriftEventRecord(detectedAt: millis(1_795_970_400_150), eventsSeen: 180, detector: "adwin", kind: "drift", decision: "swapped in the background model")]
            second.rollbacks = [RollbackRecord(fromVersion: nil, toVersion: fraud1, at: millis(1_795_970_400_160), reason: "loss rose 30%")]
            fraud2 = try store.save(second)
            churn1 = try store.save(simpleCheckpoint(pipeline: "churn", run: churn, parent: nil, events: 7))
        }

        func rows(_ sql: String) throws -> [[String]] {
            try store.queue.read { db in
                try Row.fetchAll(db, sql: sql).map { row in row.databaseValues.map { $0.isNull ? "NULL" : "\($0.storage.value!)" } }
            }
        }
    }

    @Test func latestVersionsHasTheNewestOfEachPipeline() throws {
        let f = try Fixture()
        defer { f.dir.remove() }
        #expect(try f.rows("SELECT pipeline, version_id, parent_id, reason, events_seen, state_bytes, metrics FROM latest_versions ORDER BY pipeline") == [
            ["churn", "\(f.churn1)", "NULL", "periodic", "7", "3", #"{"accuracy":0.5}"#],
            ["fraud", "\(f.fraud2)", "\(f.fraud1)", "drift-swap", "200", "10", #"{"accuracy":0.5}"#],
        ])
    }

    @Test func eventsPerPartitionIsAsOfTheNewestVersion() throws {
        let f = try Fixture()
        defer { f.dir.remove() }
        #expect(try f.rows("SELECT pipeline, topic, partition, next_offset, events_learned, dead_lettered, version_id FROM events_per_partition ORDER BY pipeline, topic, partition") == [
            ["churn", "events", "0", "7", "7", "0", "\(f.churn1)"],
            ["fraud", "payments", "0", "110", "105", "5", "\(f.fraud2)"],
            ["fraud", "payments", "1", "90", "90", "0", "\(f.fraud2)"],
        ])
        // The acceptance question: events learned per partition, one query.
        #expect(try f.rows("SELECT sum(events_learned) FROM events_per_partition WHERE pipeline = 'fraud'") == [["195"]])
    }

    @Test func deadLetterReasonsAreCounted() throws {
        let f = try Fixture()
        defer { f.dir.remove() }
        #expect(try f.rows("SELECT * FROM dead_letter_reasons") == [
            ["fraud", "malformed JSON", "4", "2026-11-29T16:40:00.001Z", "2026-11-29T16:40:00.112Z"],
            ["fraud", "label missing", "1", "2026-11-29T16:40:00.002Z", "2026-11-29T16:40:00.002Z"],
        ])
        #expect(try f.store.deadLetterCount(pipeline: "fraud") == 5)
    }

    @Test func driftTimelineInterleavesDriftsAndRollbacks() throws {
        let f = try Fixture()
        defer { f.dir.remove() }
        #expect(try f.rows("SELECT * FROM drift_timeline") == [
            ["fraud", "2026-11-29T16:40:00.050Z", "80", "warning", "adwin", "background model started", "\(f.fraud1)"],
            ["fraud", "2026-11-29T16:40:00.150Z", "180", "drift", "adwin", "swapped in the background model", "\(f.fraud2)"],
            ["fraud", "2026-11-29T16:40:00.160Z", "NULL", "rollback", "", "from - to \(f.fraud1): loss rose 30%", "\(f.fraud2)"],
        ])
    }
}
