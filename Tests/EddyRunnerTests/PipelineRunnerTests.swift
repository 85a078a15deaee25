import EddyKafka
import EddyKafkaTesting
import EddyRunner
import EddyStore
import Foundation
import Logging
import Testing

private func runToEnd(_ fixture: RunnerFixture, _ name: String, everyEvents: Int = 20_000,
                      deadLetterTopic: String? = nil) throws -> RunSummary {
    try PipelineRunner(spec: fixture.spec(try fixture.pipeline(name, everyEvents: everyEvents, deadLetterTopic: deadLetterTopic)),
                       logger: Logger(label: "test.\(name)"))
        .run(options: RunOptions(untilIdle: .seconds(3)), stop: StopSignal())
}

/// Runs the sqlite3 shell, as a user would, and returns its output.
func sqlite(_ database: String, _ query: String) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
    process.arguments = [database, query]
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
}

@Test(.timeLimit(.minutes(5)))
func twoHundredThousandEventsAreLearnedAndCheckpointed() throws {
    let fixture = try RunnerFixture(partitions: 3)
    defer { fixture.remove() }
    try fixture.produce(200_000)
    let summary = try runToEnd(fixture, "full", everyEvents: 50_000)
    #expect(summary.eventsLearned == 200_000)
    #expect(summary.deadLettered == 0)

    let store = try CheckpointStore(path: fixture.database("full"), readOnly: true)
    let latest = try #require(try store.latestVersion(pipeline: "full"))
    #expect(latest.eventsSeen == 200_000)
    let learned = Dictionary(uniqueKeysWithValues: latest.partitions.map { ($0.partition, $0.eventsLearned) })
    #expect(learned == [0: 66_667, 1: 66_667, 2: 66_666])
    #expect(latest.partitions.map(\.nextOffset).sorted() == [66_666, 66_667, 66_667])
    #expect(try #require(latest.metrics["rolling_accuracy"]) > 0.9)

    // A checkpoint at least every 50,000 events, each descending from the one before.
    let versions = try store.versions(pipeline: "full")
    #expect(versions.count >= 4)
    for (newer, older) in zip(versions, versions.dropFirst()) { #expect(newer.parentID == older.id) }
    // Metric snapshots every 5,000 events, as configured; read through the sqlite3 shell.
    #expect(try sqlite(fixture.database("full"), "select count(distinct events_seen) from metrics") == "40")
    #expect(try sqlite(fixture.database("full"), "select sum(events_learned) from events_per_partition where pipeline = 'full'") == "200000")
}

@Test(.timeLimit(.minutes(5)))
func malformedMessagesAreSetAsideAndChangeNothing() throws {
    let mixed = try RunnerFixture(partitions: 1)
    defer { mixed.remove() }
    try mixed.produce(60_000, seed: 9, malformedEvery: 6)      // 10,000 broken among 50,000 clean
    let clean = try RunnerFixture(partitions: 1)
    defer { clean.remove() }
    try clean.produce(50_000, seed: 9)                          // the same 50,000 clean events

    let deadLetterTopic = TestBroker.uniqueName("dlq")
    try KafkaAdmin(configuration: try TestBroker.configuration).createTopic(deadLetterTopic, partitions: 1)
    let mixedSummary = try runToEnd(mixed, "mixed", deadLetterTopic: deadLetterTopic)
    let cleanSummary = try runToEnd(clean, "clean")
    #expect(mixedSummary.deadLettered == 10_000)
    #expect(mixedSummary.eventsLearned == 50_000)
    #expect(cleanSummary.eventsLearned == 50_000)

    let mixedStore = try CheckpointStore(path: mixed.database("mixed"), readOnly: true)
    let cleanStore = try CheckpointStore(path: clean.database("clean"), readOnly: true)
    #expect(try mixedStore.deadLetterCount(pipeline: "mixed") == 10_000)
    let mixedFinal = try #require(try mixedStore.latestVersion(pipeline: "mixed"))
    let cleanFinal = try #require(try cleanStore.latestVersion(pipeline: "clean"))
    #expect(mixedFinal.state == cleanFinal.state, "the dead letters changed the model")
    #expect(mixedFinal.partitions.first?.deadLettered == 10_000)
    #expect(mixedFinal.partitions.first?.nextOffset == 60_000)
    // The dead-letter topic got each broken message, as it was.
    let reader = try KafkaRangeReader(configuration: try TestBroker.configuration,
                                      ranges: [TopicPartition(topic: deadLetterTopic, partition: 0): 0..<20_000])
    var produced: [String] = []
    while let batch = try reader.next() { for record in batch { produced.append(String(decoding: record.value, as: UTF8.self)) } }
    #expect(produced.count == 10_000)
    #expect(Set(produced).count == 4)
    let reasons = try sqlite(mixed.database("mixed"), "select count(*) || ' ' || reason from dead_letters group by reason order by reason")
    #expect(reasons == """
        2500 feature 'x0' is not a number (found the string "high")
        2500 malformed JSON at byte 0: expected '{' to open the event object
        2500 malformed JSON at byte 15: expected a value
        2500 missing label 'y'
        """)
}

/// `--until-idle` on a topic that does not exist stops, saying there was nothing to read,
/// instead of waiting for partitions forever.
@Test(.timeLimit(.minutes(1)))
func untilIdleStopsWhenTheTopicDoesNotExist() throws {
    let fixture = try RunnerFixture(partitions: 1)
    defer { fixture.remove() }
    var yaml = try String(contentsOf: try fixture.pipeline("missing"), encoding: .utf8)
    yaml = yaml.replacingOccurrences(of: "topics: [\(fixture.topic)]", with: "topics: [\(fixture.topic)-missing]")
    let url = fixture.directory.appendingPathComponent("missing-topic.yaml")
    try yaml.write(to: url, atomically: true, encoding: .utf8)
    let summary = try PipelineRunner(spec: fixture.spec(url), logger: Logger(label: "test.missing"))
        .run(options: RunOptions(untilIdle: .seconds(2)), stop: StopSignal())
    #expect(summary.eventsLearned == 0)
    #expect(try sqlite(fixture.database("missing"), "select stop_reason from runs") == "nothing to read: no partitions in \(fixture.topic)-missing")
}
