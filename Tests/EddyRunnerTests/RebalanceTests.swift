import EddyKafka
import EddyKafkaTesting
import EddyRunner
import EddyStore
import Foundation
import Logging
import Testing

/// A member that joins the group in the middle of a run takes partitions away, and gives them
/// back when it leaves; each move revokes every partition (librdkafka's default, eager
/// assignment), usually while `eddy run` holds a batch it polled ahead and has not learned.
/// Every event is still learned exactly once.
@Test(.timeLimit(.minutes(3)))
func partitionsTakenAwayAndGivenBackAreLearnedOnce() throws {
    let fixture = try RunnerFixture(partitions: 3)
    defer { fixture.remove() }
    try fixture.produce(600_000, seed: 5)
    let spec = try fixture.spec(try fixture.pipeline("moved", everyEvents: 50_000))

    let finished = DispatchSemaphore(value: 0)
    nonisolated(unsafe) var outcome: Result<RunSummary, any Error>?
    Thread.detachNewThread {
        outcome = Result {
            try PipelineRunner(spec: spec, logger: Logger(label: "test.moved"))
                .run(options: RunOptions(untilIdle: .seconds(3)), stop: StopSignal())
        }
        finished.signal()
    }

    // Once the run has the partitions and is learning, the other member joins, reads for a
    // while (without committing), then leaves.
    Thread.sleep(forTimeInterval: 3)
    var config = try TestBroker.configuration
    config["group.id"] = spec.source.group
    config["session.timeout.ms"] = "6000"
    let member = try KafkaConsumer(configuration: config)
    try member.subscribe([fixture.topic])
    var taken = 0
    let leaveAt = ContinuousClock.now + .seconds(6)
    while ContinuousClock.now < leaveAt { taken += try member.poll(maxRecords: 1_000, timeoutMs: 100).count }
    try member.close()

    finished.wait()
    let summary = try #require(outcome).get()
    #expect(taken > 0, "the other member never got a partition with records left: nothing was moved")
    #expect(summary.eventsLearned == 600_000)
    let final = try #require(try CheckpointStore(path: fixture.database("moved"), readOnly: true).latestVersion(pipeline: "moved"))
    #expect(final.eventsSeen == 600_000)
    #expect(final.partitions.map(\.eventsLearned) == [200_000, 200_000, 200_000])
    #expect(final.partitions.map(\.nextOffset) == [200_000, 200_000, 200_000])
}
