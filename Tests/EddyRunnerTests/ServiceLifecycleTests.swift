import EddyKafkaTesting
import EddyRunner
import EddyStore
import Foundation
import Logging
import Testing

/// SIGTERM mid-stream: the service finishes its batch, saves a shutdown checkpoint covering
/// everything it learned, and exits 0; the next start goes on from there.
@Test(.timeLimit(.minutes(5)))
func sigtermSavesAndExitsCleanly() throws {
    let fixture = try RunnerFixture(partitions: 1)
    defer { fixture.remove() }
    try fixture.produce(20_000, seed: 5)
    let pipeline = try fixture.pipeline("term", everyEvents: 1_000_000)   // no periodic checkpoint
    let run = try EddyProcess(pipeline)
    try #require(run.waitForLine(where: { $0.contains("] assigned ") }) != nil, "eddy run was never assigned its partition")
    // More events arrive while it learns, and SIGTERM lands among them; the rest come after it stopped.
    for chunk in 0..<13 {
        if chunk == 6 {
            run.send(SIGTERM)
            #expect(run.waitForExit() == 0)
        }
        try fixture.produce(10_000, seed: 100 + UInt64(chunk))
    }

    let store = try CheckpointStore(path: fixture.database("term"), readOnly: true)
    let stopped = try #require(try store.latestVersion(pipeline: "term"))
    #expect(stopped.reason == "shutdown")
    #expect(stopped.eventsSeen > 0 && stopped.eventsSeen < 150_000, "SIGTERM should land mid-stream")
    #expect(stopped.partitions.first?.nextOffset == Int64(stopped.eventsSeen))
    #expect(try sqlite(fixture.database("term"), "select stop_reason from runs") == "stopped by signal")

    #expect(try EddyProcess(pipeline).waitForExit() == 0)
    let final = try #require(try store.latestVersion(pipeline: "term"))
    #expect(final.eventsSeen == 150_000)
    #expect(final.parentID == stopped.id)
}

/// A second instance of a running pipeline on the same database is refused, naming the first.
@Test(.timeLimit(.minutes(2)))
func secondInstanceIsRefused() throws {
    let fixture = try RunnerFixture(partitions: 1)
    defer { fixture.remove() }
    try fixture.produce(1_000, seed: 6)
    let pipeline = try fixture.pipeline("single")
    let process = Process()
    process.executableURL = URL(fileURLWithPath: try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
        .deletingLastPathComponent().appendingPathComponent("eddy")
    process.arguments = ["run", pipeline.path, "--log-level", "error"]
    process.standardError = FileHandle.nullDevice
    process.standardOutput = FileHandle.nullDevice
    try process.run()
    defer {
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
    }
    Thread.sleep(forTimeInterval: 1.5)   // let it open the database and take the lock
    #expect(process.isRunning)
    do {
        _ = try PipelineRunner(spec: fixture.spec(pipeline), logger: Logger(label: "test.second"))
            .run(options: RunOptions(untilIdle: .seconds(1)), stop: StopSignal())
        Issue.record("a second instance was allowed to run")
    } catch let error as StoreError {
        #expect(error == .pipelineBusy(pipeline: "single", holderPid: process.processIdentifier))
        #expect("\(error)".contains("\(process.processIdentifier)"))
    }
}
