import EddyKafkaTesting
import EddyRunner
import EddyStore
import Foundation
import Logging
import Testing

struct CrashTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Kill delays drawn from a seeded generator, so a failure can be replayed.
private struct KillPoints {
    var state: UInt64
    mutating func next(upTo seconds: Double) -> TimeInterval {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Double(state >> 11) / Double(1 << 53) * seconds
    }
}

/// Runs `eddy run` and SIGKILLs it a random moment (up to 0.2 s) after its first periodic
/// checkpoint: mid-stream, with learned events not yet saved, whatever the build's speed.
/// True when it was killed, false when it stopped by itself first.
private func killedRun(_ pipeline: URL, points: inout KillPoints, sourceLocation: SourceLocation = #_sourceLocation) throws -> Bool {
    let run = try EddyProcess(pipeline)
    if run.waitForLine(where: { $0.contains("(periodic): ") }) != nil {
        Thread.sleep(forTimeInterval: points.next(upTo: 0.2))
        run.send(SIGKILL)
    } else if run.isRunning {
        Issue.record("eddy run logged no periodic checkpoint in 120 s; its last log lines:\n\(run.logTail())", sourceLocation: sourceLocation)
        run.send(SIGKILL)
    }
    return run.waitForExit(sourceLocation: sourceLocation) == nil
}

/// One partition: killed with SIGKILL ten times mid-stream and restarted each time, `eddy run`
/// ends with a model bitwise identical to an uninterrupted run's.
@Test(.timeLimit(.minutes(10)))
func killedTenTimesEndsWithTheUninterruptedModel() throws {
    let fixture = try RunnerFixture(partitions: 1)
    defer { fixture.remove() }
    try fixture.produce(200_000, seed: 3)

    let reference = try PipelineRunner(spec: fixture.spec(try fixture.pipeline("reference", everyEvents: 10_000)), logger: Logger(label: "test.reference"))
        .run(options: RunOptions(untilIdle: .seconds(3)), stop: StopSignal())
    #expect(reference.eventsLearned == 200_000)

    // Each run is killed after its first checkpoint, 10,000 to 15,000 events in (a poll's batch
    // may pass the mark), so ten runs leave events for the last one.
    let crashed = try fixture.pipeline("crashed", everyEvents: 10_000)
    var points = KillPoints(state: 2026)
    var killed = 0
    for _ in 1...10 where try killedRun(crashed, points: &points) { killed += 1 }
    #expect(killed == 10, "every run should have been killed, not finished")
    #expect(try EddyProcess(crashed).waitForExit() == 0)

    let referenceFinal = try #require(try CheckpointStore(path: fixture.database("reference"), readOnly: true).latestVersion(pipeline: "reference"))
    let crashedStore = try CheckpointStore(path: fixture.database("crashed"), readOnly: true)
    let crashedFinal = try #require(try crashedStore.latestVersion(pipeline: "crashed"))
    #expect(crashedFinal.eventsSeen == 200_000)
    #expect(crashedFinal.partitions.map(\.eventsLearned) == [200_000])
    #expect(crashedFinal.state == referenceFinal.state, "the model after crashes differs from the uninterrupted one")
    #expect(try sqlite(fixture.database("crashed"), "select count(*) from runs") == "11")
}

/// Three partitions: after SIGKILLs and restarts every event is learned exactly once.
@Test(.timeLimit(.minutes(10)))
func killedRunsOnThreePartitionsLearnEachEventOnce() throws {
    let fixture = try RunnerFixture(partitions: 3)
    defer { fixture.remove() }
    try fixture.produce(150_000, seed: 4)
    let pipeline = try fixture.pipeline("three")
    var points = KillPoints(state: 7)
    var killed = 0
    for _ in 1...4 where try killedRun(pipeline, points: &points) { killed += 1 }
    #expect(killed == 4, "every run should have been killed, not finished")
    #expect(try EddyProcess(pipeline).waitForExit() == 0)

    let final = try #require(try CheckpointStore(path: fixture.database("three"), readOnly: true).latestVersion(pipeline: "three"))
    #expect(final.eventsSeen == 150_000)
    #expect(final.partitions.map(\.eventsLearned) == [50_000, 50_000, 50_000])
    #expect(final.partitions.map(\.nextOffset) == [50_000, 50_000, 50_000])
}
