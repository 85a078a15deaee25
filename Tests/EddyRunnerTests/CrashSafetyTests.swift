import EddyKafkaTesting
import EddyRunner
import EddyStore
import Foundation
import Logging
import Testing

/// The `eddy` binary built beside this test bundle.
private func eddyBinary() throws -> URL {
    let bundle = URL(fileURLWithPath: try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
    let binary = bundle.deletingLastPathComponent().appendingPathComponent("eddy")
    guard FileManager.default.isExecutableFile(atPath: binary.path) else {
        throw CrashTestError("no eddy binary at \(binary.path): build it first (swift build)")
    }
    return binary
}

struct CrashTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Starts `eddy run PIPELINE --until-idle 3`; with `killAfter`, sends it `signal` then.
/// Returns the exit status (nil when killed by SIGKILL). A run that is to stop by itself and
/// is still running after `limit` is killed and recorded as a failure, so that a run that never
/// drains fails the test instead of hanging it (a test's time limit cannot interrupt the wait).
func eddyRun(_ pipeline: URL, killAfter: Duration?, signal: Int32 = SIGKILL, stderr: FileHandle = .nullDevice,
             limit: Duration = .seconds(180), sourceLocation: SourceLocation = #_sourceLocation) throws -> Int32? {
    let process = Process()
    process.executableURL = try eddyBinary()
    process.arguments = ["run", pipeline.path, "--until-idle", "3", "--log-level", "warning"]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = stderr
    try process.run()
    let deadline = ContinuousClock.now + (killAfter ?? limit)
    while process.isRunning && ContinuousClock.now < deadline { Thread.sleep(forTimeInterval: 0.05) }
    guard process.isRunning else { return process.terminationStatus }
    if killAfter == nil {
        Issue.record("eddy run \(pipeline.lastPathComponent) did not stop by itself within \(limit)", sourceLocation: sourceLocation)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        return nil
    }
    kill(process.processIdentifier, signal)
    process.waitUntilExit()
    return signal == SIGKILL ? nil : process.terminationStatus
}

/// Kill points drawn from a seeded generator, so a failure can be replayed.
private struct KillPoints {
    var state: UInt64
    mutating func next(in range: ClosedRange<Double>) -> Duration {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        let unit = Double(state >> 11) / Double(1 << 53)
        return .milliseconds(Int64((range.lowerBound + unit * (range.upperBound - range.lowerBound)) * 1000))
    }
}

/// One partition: killed with SIGKILL at ten random points and restarted each time, `eddy run`
/// ends with a model bitwise identical to an uninterrupted run's.
@Test(.timeLimit(.minutes(10)))
func killedTenTimesEndsWithTheUninterruptedModel() throws {
    let fixture = try RunnerFixture(partitions: 1)
    try fixture.produce(200_000, seed: 3)

    let reference = try PipelineRunner(spec: fixture.spec(try fixture.pipeline("reference")), logger: Logger(label: "test.reference"))
        .run(options: RunOptions(untilIdle: .seconds(3)), stop: StopSignal())
    #expect(reference.eventsLearned == 200_000)

    let crashed = try fixture.pipeline("crashed")
    var points = KillPoints(state: 2026)
    var killed = 0
    for _ in 0..<10 {
        // Joining the group takes about 3.5 s on the test broker; kill somewhere in the learning after it.
        if try eddyRun(crashed, killAfter: points.next(in: 4...9)) == nil { killed += 1 }
    }
    #expect(killed >= 8, "most runs should have been killed mid-stream, not finished")
    #expect(try eddyRun(crashed, killAfter: nil) == 0)

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
    try fixture.produce(150_000, seed: 4)
    let pipeline = try fixture.pipeline("three")
    var points = KillPoints(state: 7)
    for _ in 0..<4 { _ = try eddyRun(pipeline, killAfter: points.next(in: 4...8)) }
    #expect(try eddyRun(pipeline, killAfter: nil) == 0)

    let final = try #require(try CheckpointStore(path: fixture.database("three"), readOnly: true).latestVersion(pipeline: "three"))
    #expect(final.eventsSeen == 150_000)
    #expect(final.partitions.map(\.eventsLearned) == [50_000, 50_000, 50_000])
    #expect(final.partitions.map(\.nextOffset) == [50_000, 50_000, 50_000])
}
