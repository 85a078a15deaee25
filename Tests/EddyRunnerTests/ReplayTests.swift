import EddyKafka
import EddyKafkaTesting
import EddyPipeline
import EddyRunner
import EddyStore
import Foundation
import Logging
import Testing

private func replay(_ spec: PipelineSpec, _ range: ReplayRange, warmStart: Int64? = nil) throws -> ReplaySummary {
    try PipelineReplay(spec: spec, range: range, warmStart: warmStart, logger: Logger(label: "test.replay")).run()
}

private func state(_ spec: PipelineSpec, _ version: Int64?) throws -> [UInt8] {
    let id = try #require(version)
    return try #require(try CheckpointStore(path: spec.databasePath, readOnly: true).version(id)).state
}

/// SEA-like events (label: x0 + x1 > 10) from a seeded generator, as JSON.
private func events(_ count: Int, seed: UInt64) -> [String] {
    var rng = seed
    func uniform() -> Double {
        rng = rng &* 6364136223846793005 &+ 1442695040888963407
        return Double(rng >> 11) / Double(1 << 53) * 10
    }
    return (0..<count).map { _ in
        let (x0, x1, x2) = (uniform(), uniform(), uniform())
        return #"{"x0":\#(x0),"x1":\#(x1),"x2":\#(x2),"y":\#(x0 + x1 > 10 ? 1 : 0)}"#
    }
}

@Test(.timeLimit(.minutes(2)))
func replayingTheSameRangeTwiceGivesBitwiseTheSameModel() throws {
    let fixture = try RunnerFixture(partitions: 3)
    defer { fixture.remove() }
    try fixture.produce(3_000, seed: 4, malformedEvery: 97)
    let spec = try fixture.spec(try fixture.pipeline("twice", everyEvents: 500))
    let range = try ReplayRange(offsets: 100, to: 900)
    let first = try replay(spec, range)
    let second = try replay(spec, range)

    #expect(first.recordsRead == 2_400)
    #expect(first.eventsLearned + first.deadLettered == 2_400)
    #expect(first.deadLettered > 0)
    #expect(first.eventsLearned == second.eventsLearned)
    #expect(first.partitions == second.partitions)
    #expect(first.partitions.map(\.from) == [100, 100, 100])
    #expect(first.partitions.map(\.to) == [900, 900, 900])
    #expect(try state(spec, first.lastVersion) == state(spec, second.lastVersion))
    #expect(first.lastVersion != second.lastVersion)

    let store = try CheckpointStore(path: spec.databasePath, readOnly: true)
    let versions = try store.versions(pipeline: "twice").reversed()
    #expect(versions.allSatisfy { $0.reason == "replay" })
    let firstLineage = versions.filter { $0.id <= first.lastVersion! }
    let secondLineage = versions.filter { $0.id > first.lastVersion! }
    // A fresh lineage: the first version has no parent, each later one is the child of the one before.
    #expect(firstLineage.first?.parentID == nil)
    #expect(secondLineage.first?.parentID == nil)
    for (older, newer) in zip(firstLineage, firstLineage.dropFirst()) { #expect(newer.parentID == older.id) }
    // A version every 500 events and one at the end, each equal to its twin.
    #expect(firstLineage.count == first.checkpoints)
    #expect(firstLineage.dropLast().map(\.eventsSeen) == Array(stride(from: 500, to: first.eventsLearned, by: 500)))
    #expect(firstLineage.last?.eventsSeen == first.eventsLearned)
    #expect(firstLineage.map(\.eventsSeen) == secondLineage.map(\.eventsSeen))
    for (a, b) in zip(firstLineage, secondLineage) { #expect(try state(spec, a.id) == state(spec, b.id)) }
    // The offsets of the last version: the replay's end and what it learned per partition.
    let last = try #require(try store.version(first.lastVersion!))
    #expect(last.partitions.map(\.nextOffset) == [900, 900, 900])
    #expect(last.partitions.map(\.eventsLearned) == first.partitions.map(\.eventsLearned))
    #expect(try store.deadLetterCount(pipeline: "twice") == first.deadLettered + second.deadLettered)
    // The replay's runs rows say what they did.
    #expect(try sqlite(spec.databasePath, "select count(*) from runs where stop_reason like 'replay of offsets [100, 900) done:%'") == "2")
}

@Test(.timeLimit(.minutes(2)))
func aWarmStartContinuesTheVersionItStartsFrom() throws {
    let fixture = try RunnerFixture(partitions: 2)
    defer { fixture.remove() }
    try fixture.produce(2_000, seed: 5)
    let spec = try fixture.spec(try fixture.pipeline("warm", everyEvents: 10_000))
    let head = try replay(spec, try ReplayRange(offsets: 0, to: 400, partitions: [1]))
    let tail = try replay(spec, try ReplayRange(offsets: 400, to: 1_000, partitions: [1]), warmStart: head.lastVersion)
    let whole = try replay(spec, try ReplayRange(offsets: nil, to: nil, partitions: [1]))

    let store = try CheckpointStore(path: spec.databasePath, readOnly: true)
    let tailStart = try #require(tail.firstVersion)
    let firstOfTail = try #require(try store.version(tailStart))
    #expect(tail.warmStart == head.lastVersion)
    #expect(firstOfTail.parentID == head.lastVersion)
    #expect(firstOfTail.eventsSeen == 1_000)
    // Stopping after 400 events and continuing from the saved version is the same as not stopping.
    #expect(whole.eventsLearned == 1_000)
    #expect(try state(spec, tail.lastVersion) == state(spec, whole.lastVersion))
    #expect(firstOfTail.partitions == [PartitionProgress(topic: fixture.topic, partition: 1, nextOffset: 1_000, eventsLearned: 1_000, deadLettered: 0)])
}

@Test(.timeLimit(.minutes(2)))
func aTimeRangeLearnsExactlyTheRecordsStampedInIt() throws {
    let stamped = try RunnerFixture(partitions: 2)
    defer { stamped.remove() }
    let oracle = try RunnerFixture(partitions: 1)
    defer { oracle.remove() }
    let values = events(2_000, seed: 6)
    // Timestamps a permutation of 0..<2000 seconds after `base`, deliberately out of offset order.
    let base: Int64 = 1_795_975_200_000
    let stamps = (0..<2_000).map { base + Int64($0 * 7_919 % 2_000) * 1_000 }
    let (from, to) = (base + 500_000, base + 1_300_000)
    var config = try TestBroker.configuration.forProducer()
    config["linger.ms"] = "20"
    let producer = try KafkaProducer(configuration: config)
    for i in 0..<2_000 {
        try producer.send(topic: stamped.topic, partition: Int32(i % 2), value: Array(values[i].utf8), timestampMs: stamps[i])
    }
    // The oracle: exactly the in-range events, in the order a replay reads them (partition 0 by
    // offset, then partition 1), on a topic of their own.
    let inRange = (0..<2_000).filter { stamps[$0] >= from && stamps[$0] < to }
    let ordered = inRange.filter { $0 % 2 == 0 } + inRange.filter { $0 % 2 == 1 }
    for i in ordered { try producer.send(topic: oracle.topic, partition: 0, value: Array(values[i].utf8)) }
    try producer.flush()

    let spec = try stamped.spec(try stamped.pipeline("bytime", everyEvents: 10_000))
    let summary = try replay(spec, try ReplayRange(time: from, to: to))
    #expect(summary.recordsRead == 2_000, "a time range reads every partition whole")
    #expect(summary.eventsLearned == inRange.count)
    #expect(summary.partitions.map(\.eventsLearned) == [inRange.filter { $0 % 2 == 0 }.count, inRange.filter { $0 % 2 == 1 }.count])
    #expect(summary.partitions.map(\.to) == [1_000, 1_000])

    let oracleSpec = try oracle.spec(try oracle.pipeline("oracle", everyEvents: 10_000))
    let reference = try replay(oracleSpec, try ReplayRange(offsets: nil, to: nil))
    #expect(reference.eventsLearned == inRange.count)
    #expect(try state(spec, summary.lastVersion) == state(oracleSpec, reference.lastVersion))

    // Open ends: everything from `from` on, and everything before `to`.
    #expect(try replay(spec, try ReplayRange(time: from, to: nil)).eventsLearned == stamps.filter { $0 >= from }.count)
    #expect(try replay(spec, try ReplayRange(time: nil, to: to)).eventsLearned == stamps.filter { $0 < to }.count)
}

@Test(.timeLimit(.minutes(2)))
func badRangesAreRefusedWithAReason() throws {
    #expect(throws: ReplayError.invalidRange("--from-offset 10 is not below --to-offset 5: the range [10, 5) is empty")) {
        try ReplayRange(offsets: 10, to: 5)
    }
    #expect(throws: ReplayError.self) { try ReplayRange(time: 2_000, to: 1_000) }
    #expect(throws: ReplayError.invalidTime("yesterday")) { try ReplayRange.parseTime("yesterday") }
    #expect(try ReplayRange.parseTime("2026-11-29T18:00:00Z") == 1_795_975_200_000)
    #expect(try ReplayRange.parseTime("2026-11-29T19:00:00.250+01:00") == 1_795_975_200_250)
    #expect(try ReplayRange.parseTime("1795975200000") == 1_795_975_200_000)

    let fixture = try RunnerFixture(partitions: 2)
    defer { fixture.remove() }
    try fixture.produce(100, seed: 7)
    let spec = try fixture.spec(try fixture.pipeline("refuse"))
    #expect(throws: ReplayError.unknownPartition(topic: fixture.topic, partition: 5, partitions: 2)) {
        try replay(spec, try ReplayRange(offsets: nil, to: nil, partitions: [0, 5]))
    }
    #expect(throws: ReplayError.unknownVersion(id: 999, database: spec.databasePath)) {
        try replay(spec, try ReplayRange(offsets: nil, to: nil), warmStart: 999)
    }
    // A version of another pipeline in the same database.
    let store = try CheckpointStore(path: spec.databasePath)
    let run = try store.startRun(pipeline: "other", configJSON: "{}")
    let foreign = try store.save(Checkpoint(pipeline: "other", runID: run, parentID: nil, reason: "periodic", eventsSeen: 0,
                                            partitions: [], state: [], metrics: [:]))
    #expect(throws: ReplayError.versionOfAnotherPipeline(id: foreign, owner: "other", pipeline: "refuse")) {
        try replay(spec, try ReplayRange(offsets: nil, to: nil), warmStart: foreign)
    }
    #expect(try store.versions(pipeline: "refuse").isEmpty, "a refused replay wrote a version")
}

@Test(.timeLimit(.minutes(3)))
func theLiveRunResumesFromItsOwnLineageNotTheReplays() throws {
    let fixture = try RunnerFixture(partitions: 2)
    defer { fixture.remove() }
    try fixture.produce(2_000, seed: 8)
    let url = try fixture.pipeline("live")
    let spec = try fixture.spec(url)
    let runner = PipelineRunner(spec: spec, logger: Logger(label: "test.live"))
    let live = try runner.run(options: RunOptions(untilIdle: .seconds(2)), stop: StopSignal())
    #expect(live.eventsLearned == 2_000)

    let backfill = try replay(spec, try ReplayRange(offsets: 0, to: 300))
    #expect(try #require(backfill.lastVersion) > live.lastVersion!)
    try fixture.produce(500, seed: 9)
    let resumed = try runner.run(options: RunOptions(untilIdle: .seconds(2)), stop: StopSignal())
    #expect(resumed.restoredVersion == live.lastVersion)
    #expect(resumed.eventsLearned == 500)
    let store = try CheckpointStore(path: spec.databasePath, readOnly: true)
    let newest = try #require(try store.latestVersion(pipeline: "live"))
    #expect(newest.id == resumed.lastVersion)
    #expect(newest.parentID == live.lastVersion)
    #expect(newest.eventsSeen == 2_500)
    #expect(try store.latestLiveVersion(pipeline: "live")?.id == newest.id)
}

@Test func progressIsShownAsABarOrAsLines() {
    let halfway = ReplayProgress(offsetsRead: 250_000, offsetsTotal: 1_000_000, eventsLearned: 249_990, deadLettered: 10,
                                 elapsed: .seconds(2), finished: false)
    #expect(ProgressBar.bar(halfway, width: 20)
        == "[#####---------------]  25.0%  250,000/1,000,000 offsets  125,000 events/s  ETA 0:06")
    #expect(ProgressBar.line(halfway)
        == "replay: 250,000/1,000,000 offsets (25.0%), 249,990 learned, 10 dead-lettered, 125,000 events/s, ETA 0:06")
    var done = halfway
    done.offsetsRead = 1_000_000
    done.finished = true
    #expect(ProgressBar.bar(done, width: 4) == "[####] 100.0%  1,000,000/1,000,000 offsets  125,000 events/s  done in 0:02")
    var stopped = halfway
    stopped.finished = true
    #expect(ProgressBar.line(stopped).hasSuffix(", 125,000 events/s, stopped after 0:02"))
}

@Test(.timeLimit(.minutes(2)))
func aStoppedReplaySavesWhatItLearnedAndSaysSo() throws {
    let fixture = try RunnerFixture(partitions: 1)
    defer { fixture.remove() }
    try fixture.produce(12_000, seed: 10)
    let spec = try fixture.spec(try fixture.pipeline("stopped", everyEvents: 100_000))
    let stop = StopSignal()
    stop.raise()  // as SIGTERM would during the first batch
    let summary = try PipelineReplay(spec: spec, range: try ReplayRange(offsets: nil, to: nil)).run(stop: stop)
    #expect(summary.interrupted)
    #expect(summary.eventsLearned > 0 && summary.eventsLearned < 12_000)
    let store = try CheckpointStore(path: spec.databasePath, readOnly: true)
    let last = try #require(summary.lastVersion)
    let saved = try #require(try store.version(last))
    #expect(saved.reason == "replay")
    #expect(saved.eventsSeen == summary.eventsLearned)
    #expect(saved.partitions.map(\.nextOffset) == [Int64(summary.eventsLearned)])
    #expect(summary.partitions.map(\.to) == [Int64(summary.eventsLearned)])
    #expect(try sqlite(spec.databasePath, "select count(*) from runs where stop_reason like '% interrupted by a signal: %'") == "1")
}

@Test(.timeLimit(.minutes(2)))
func anEmptyPartitionIsReadAsEmpty() throws {
    let fixture = try RunnerFixture(partitions: 2)
    defer { fixture.remove() }
    let producer = try KafkaProducer(configuration: try TestBroker.configuration.forProducer())
    for value in events(300, seed: 11) { try producer.send(topic: fixture.topic, partition: 1, value: Array(value.utf8)) }
    try producer.flush()
    let spec = try fixture.spec(try fixture.pipeline("sparse"))
    let summary = try replay(spec, try ReplayRange(offsets: nil, to: nil))
    #expect(summary.eventsLearned == 300)
    #expect(summary.partitions.map(\.from) == [0, 0])
    #expect(summary.partitions.map(\.to) == [0, 300])
    let last = try #require(summary.lastVersion)
    let saved = try #require(try CheckpointStore(path: spec.databasePath, readOnly: true).version(last))
    #expect(saved.partitions.map(\.nextOffset) == [0, 300])
}
