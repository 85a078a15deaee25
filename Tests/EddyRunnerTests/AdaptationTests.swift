import EddyKafkaTesting
import EddyLearn
import EddyPipeline
import EddyRunner
import EddyStore
import Foundation
import Logging
import Testing

/// A SEA-like event: label x0 + x1 > threshold (x in [0, 10)), from a seeded LCG per index.
private func seaEvent(_ i: Int, threshold: Double, flipped: Bool = false, x0: Double? = nil) -> String {
    var rng = UInt64(i) &* 0x9E37_79B9_7F4A_7C15 &+ 12345
    func uniform() -> Double {
        rng = rng &* 6364136223846793005 &+ 1442695040888963407
        return Double(rng >> 11) / Double(1 << 53) * 10
    }
    let (a, b, c) = (uniform(), uniform(), uniform())
    var label = a + b > threshold ? 1 : 0
    if flipped { label = 1 - label }
    return #"{"x0":\#(x0 ?? a),"x1":\#(b),"x2":\#(c),"y":\#(label)}"#
}

private func run(_ fixture: RunnerFixture, _ url: URL, idle: Duration = .seconds(3)) throws -> RunSummary {
    try PipelineRunner(spec: fixture.spec(url), logger: Logger(label: "test.adaptation"))
        .run(options: RunOptions(untilIdle: idle), stop: StopSignal())
}

/// 200,000 events with an abrupt concept drift at 100,000 (labels: x0 + x1 > 10, then > 8.5):
/// the drift is recorded within 2,000 events with the policy's decision, and the rolling
/// accuracy comes back to within 2 points of its level before the drift.
@Test(.timeLimit(.minutes(10)))
func anAbruptDriftIsDetectedAndAdaptedTo() throws {
    let fixture = try RunnerFixture(partitions: 1)
    defer { fixture.remove() }
    let drift = 100_000
    try fixture.produce(200_000) { i in seaEvent(i, threshold: i < drift ? 10 : 8.5) }
    let url = try fixture.pipeline("adapt", everyEvents: 10_000, window: 1_000)
    let summary = try run(fixture, url)
    #expect(summary.eventsLearned == 200_000)
    let db = fixture.database("adapt")

    let drifts = try sqlite(db, "select events_seen || ' ' || decision from drift_events where kind = 'drift' and events_seen between \(drift) and \(drift + 2_000)")
    #expect(drifts.contains("boost_lr: learning rate x2") || drifts.contains("promoted the background learner"), "drift events near \(drift): \(drifts)")
    let before = try #require(Double(try sqlite(db, "select value from metrics where window = 'rolling' and name = 'accuracy' and events_seen = 95000")))
    let after = try #require(Double(try sqlite(db, "select value from metrics where window = 'rolling' and name = 'accuracy' order by events_seen desc limit 1")))
    #expect(after >= before - 0.02, "rolling accuracy \(after) at the end vs \(before) before the drift")
    #expect(try CheckpointStore(path: db, readOnly: true).rollbacks(pipeline: "adapt").isEmpty)
}

/// Labels flipped for 5,000 events (a poisoned burst) in a pipeline that does not adapt and
/// learns slowly (a plain SGD at 0.05 relearns this noiseless concept, flipped, within one
/// window: nothing to roll back): the rolling accuracy collapses, the guard trips and
/// restores the last good version (saved before the burst), and the rollbacks row says why.
@Test(.timeLimit(.minutes(10)))
func aPoisonedBurstIsRolledBack() throws {
    let fixture = try RunnerFixture(partitions: 1)
    defer { fixture.remove() }
    let poison = 40_000..<45_000
    try fixture.produce(60_000) { i in seaEvent(i, threshold: 10, flipped: poison.contains(i)) }
    let url = try fixture.pipeline("poison", everyEvents: 5_000, window: 1_000, lr: 0.005, extra: """
        adaptation: {policy: none, background_on_warning: false}
        rollback: {metric: accuracy, margin: 0.2, windows: 2}
        """)
    _ = try run(fixture, url)
    let db = fixture.database("poison")
    let store = try CheckpointStore(path: db, readOnly: true)
    let rollbacks = try store.rollbacks(pipeline: "poison")
    let first = try #require(rollbacks.last)
    #expect(first.record.reason.contains("rolling accuracy"))
    let versions = try store.versions(pipeline: "poison").reversed()
    let target = try #require(versions.first { $0.id == first.record.toVersion })
    let lastGood = try #require(versions.last { $0.eventsSeen <= poison.lowerBound + 200 && $0.reason != "rollback" })
    #expect(target.id == lastGood.id, "rolled back to v\(target.id) at \(target.eventsSeen) events; the last good was v\(lastGood.id) at \(lastGood.eventsSeen)")
    #expect(target.eventsSeen >= poison.lowerBound - 5_000)
    // The restored model is saved at once as a version descending from the target.
    let saved = try #require(versions.first { $0.id == first.versionID })
    #expect(saved.reason == "rollback")
    #expect(saved.parentID == target.id)
    #expect(saved.eventsSeen > poison.lowerBound && saved.eventsSeen <= poison.upperBound)
    #expect(try sqlite(db, "select count(*) from drift_timeline where kind = 'rollback'") == String(rollbacks.count))
}

/// Huge feature values, let through by `max_abs_value: none`, drive the learner to NaN; the
/// guard rolls back to the last version before them and the saved model stays finite.
@Test(.timeLimit(.minutes(5)))
func nonFiniteLearningIsRolledBack() throws {
    let fixture = try RunnerFixture(partitions: 1)
    defer { fixture.remove() }
    let huge = 20_000..<20_010
    try fixture.produce(30_000) { i in seaEvent(i, threshold: 10, x0: huge.contains(i) ? 1e300 : nil) }
    let url = try fixture.pipeline("huge", everyEvents: 5_000, extra: """
        adaptation: {policy: none, background_on_warning: false}
        """)
    let relaxed = try String(contentsOf: url, encoding: .utf8).replacingOccurrences(of: "  scale: standard\n", with: "  scale: standard\n  max_abs_value: none\n")
    try relaxed.write(to: url, atomically: true, encoding: .utf8)
    let spec = try fixture.spec(url)
    #expect(spec.features.maxAbsValue == nil)
    _ = try run(fixture, url)

    let store = try CheckpointStore(path: fixture.database("huge"), readOnly: true)
    let rollbacks = try store.rollbacks(pipeline: "huge")
    let first = try #require(rollbacks.last)
    #expect(first.record.reason.contains("NaN or infinite"))
    let target = try #require(try store.version(first.record.toVersion))
    #expect(target.eventsSeen <= huge.lowerBound)
    let latest = try #require(try store.latestVersion(pipeline: "huge"))
    #expect(latest.eventsSeen == 30_000)
    #expect(try PipelineStateBlob.learner(from: latest.state, spec: spec).hasFiniteParameters)

    // With the default limit the same values are dead letters, and nothing is rolled back.
    let strict = try fixture.pipeline("strict", everyEvents: 5_000)
    let summary = try run(fixture, strict)
    #expect(summary.deadLettered == huge.count)
    #expect(try CheckpointStore(path: fixture.database("strict"), readOnly: true).rollbacks(pipeline: "strict").isEmpty)
    #expect(try sqlite(fixture.database("strict"), "select count(*) from dead_letters where reason like '%beyond max_abs_value%'") == "10")
}

/// `eddy rollback --to V` while the consumer runs: applied at its next batch, and the
/// versions after it descend from V.
@Test(.timeLimit(.minutes(5)))
func manualRollbackWhileRunning() throws {
    let fixture = try RunnerFixture(partitions: 1)
    defer { fixture.remove() }
    try fixture.produce(20_000) { i in seaEvent(i, threshold: 10) }
    let url = try fixture.pipeline("manual", everyEvents: 5_000)
    let spec = try fixture.spec(url)
    let store = try CheckpointStore(path: fixture.database("manual"))   // created before the run opens it
    let stop = StopSignal()
    let finished = DispatchSemaphore(value: 0)
    nonisolated(unsafe) var outcome: Result<RunSummary, any Error>?
    Thread.detachNewThread {
        // Runs until the topic is drained and quiet for 8 s (long enough for the steps below).
        outcome = Result {
            try PipelineRunner(spec: spec, logger: Logger(label: "test.manual")).run(options: RunOptions(untilIdle: .seconds(8)), stop: stop)
        }
        finished.signal()
    }
    var joined = false
    defer { if !joined { stop.raise(); finished.wait() } }
    func waitFor(_ what: String, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(60)
        while try !condition() {
            guard Date() < deadline else { throw CancellationError() }
            Thread.sleep(forTimeInterval: 0.1)
        }
    }
    try waitFor("2 versions") { try store.versions(pipeline: "manual").count >= 2 }
    let first = try #require(try store.versions(pipeline: "manual").last)
    let request = try store.requestRollback(pipeline: "manual", to: first.id, reason: "manual: test")
    try waitFor("the rollback") { try store.pendingRollbackRequests(pipeline: "manual").isEmpty }
    try fixture.produce(10_000) { i in seaEvent(20_000 + i, threshold: 10) }
    finished.wait()
    joined = true
    _ = try #require(try outcome?.get())

    let applied = try #require(try store.rollbackRequests(pipeline: "manual").first { $0.id == request })
    let rollbackVersion = try #require(try store.versions(pipeline: "manual").first { $0.id == applied.appliedVersion })
    #expect(rollbackVersion.reason == "rollback")
    #expect(rollbackVersion.parentID == first.id)
    // Reading went on from the current offsets: nothing re-read, nothing skipped.
    #expect(rollbackVersion.eventsSeen >= 10_000)
    let rollbackOffsets = try store.eventsLearned(pipeline: "manual", versionID: rollbackVersion.id)
    #expect(rollbackOffsets.map(\.nextOffset) == [Int64(rollbackVersion.eventsSeen)])
    let later = try store.versions(pipeline: "manual").filter { $0.id > rollbackVersion.id }
    #expect(!later.isEmpty)
    var lineage: [Int64: Int64?] = [:]
    for v in try store.versions(pipeline: "manual") { lineage[v.id] = v.parentID }
    for v in later {
        var id: Int64? = v.id
        while let current = id, current > rollbackVersion.id { id = lineage[current] ?? nil }
        #expect(id == rollbackVersion.id, "v\(v.id) does not descend from the rollback")
    }
    let latest = try #require(try store.latestVersion(pipeline: "manual"))
    #expect(latest.partitions.first?.nextOffset == 30_000)
    let rollbacks = try store.rollbacks(pipeline: "manual")
    #expect(rollbacks.first?.record.reason == "manual: test")
    #expect(rollbacks.first?.record.toVersion == first.id)

    // A version that does not exist is refused at once; one whose state cannot be restored
    // into this pipeline is refused by the run, which goes on.
    #expect(throws: StoreError.self) { try store.requestRollback(pipeline: "manual", to: 999_999, reason: "manual") }
    let foreignRun = try store.startRun(pipeline: "manual", configJSON: "{}")
    let foreign = try store.save(Checkpoint(pipeline: "manual", runID: foreignRun, parentID: nil, reason: "manual", eventsSeen: 0,
                                            partitions: [], state: [1, 2, 3], metrics: [:]))
    _ = try store.save(Checkpoint(pipeline: "manual", runID: foreignRun, parentID: latest.id, reason: "manual", eventsSeen: latest.eventsSeen,
                                  partitions: latest.partitions, state: latest.state, metrics: [:]))
    let bad = try store.requestRollback(pipeline: "manual", to: foreign, reason: "manual: wrong learner")
    let again = try PipelineRunner(spec: spec, logger: Logger(label: "test.manual")).run(options: RunOptions(untilIdle: .seconds(1)), stop: StopSignal())
    #expect(again.rollbacks == 0)
    let refused = try #require(try store.rollbackRequests(pipeline: "manual").first { $0.id == bad })
    #expect(refused.refusal != nil && refused.appliedVersion == nil && !refused.isPending)
}
