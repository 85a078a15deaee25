import Foundation
import Testing

/// `eddy run PIPELINE --until-idle 3` as a child process whose log lines (info level) a test
/// can wait for, so that a signal lands at a point in the stream rather than at a time that a
/// faster build or a slower machine moves.
///
///     let run = try EddyProcess(pipeline)
///     if run.waitForLine(where: { $0.contains("assigned") }) != nil { run.send(SIGTERM) }
///     #expect(run.waitForExit() == 0)
final class EddyProcess: @unchecked Sendable {
    private let process = Process()
    private let lock = NSLock()
    private var lines: [String] = []
    private var cursor = 0
    private var ended = false

    init(_ pipeline: URL) throws {
        let bundle = URL(fileURLWithPath: try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
        let binary = bundle.deletingLastPathComponent().appendingPathComponent("eddy")
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw CrashTestError("no eddy binary at \(binary.path): build it first (swift build)")
        }
        process.executableURL = binary
        process.arguments = ["run", pipeline.path, "--until-idle", "3", "--log-level", "info"]
        process.standardOutput = FileHandle.nullDevice
        let pipe = Pipe()
        process.standardError = pipe
        try process.run()
        let reader = pipe.fileHandleForReading
        // Drain the log to its end even after the test stopped looking, or a full pipe would
        // block the child mid-shutdown.
        Thread.detachNewThread { [self] in
            var partial = Data()
            while true {
                let chunk = reader.availableData
                if chunk.isEmpty { break }
                partial.append(chunk)
                var complete: [String] = []
                while let newline = partial.firstIndex(of: UInt8(ascii: "\n")) {
                    complete.append(String(decoding: partial[partial.startIndex..<newline], as: UTF8.self))
                    partial.removeSubrange(partial.startIndex...newline)
                }
                lock.withLock { lines += complete }
            }
            lock.withLock { ended = true }
        }
    }

    /// The next logged line (after those already returned) that `matches`, waiting up to
    /// `timeout`; nil when the log ends or the time runs out first.
    func waitForLine(timeout: Duration = .seconds(120), where matches: (String) -> Bool) -> String? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let (found, over): (String?, Bool) = lock.withLock {
                while cursor < lines.count {
                    cursor += 1
                    if matches(lines[cursor - 1]) { return (lines[cursor - 1], false) }
                }
                return (nil, ended)
            }
            if found != nil || over { return found }
            Thread.sleep(forTimeInterval: 0.005)
        }
        return nil
    }

    /// The last `count` lines logged so far, for a failure's message.
    func logTail(_ count: Int = 30) -> String {
        lock.withLock { lines.suffix(count).joined(separator: "\n") }
    }

    var isRunning: Bool { process.isRunning }

    func send(_ signal: Int32) {
        kill(process.processIdentifier, signal)
    }

    /// The exit status, nil when it was SIGKILLed. A run still going after `limit` is killed and
    /// recorded as a failure, so that a run that never drains fails the test instead of hanging it.
    func waitForExit(limit: Duration = .seconds(180), sourceLocation: SourceLocation = #_sourceLocation) -> Int32? {
        let deadline = ContinuousClock.now + limit
        while process.isRunning && ContinuousClock.now < deadline { Thread.sleep(forTimeInterval: 0.02) }
        if process.isRunning {
            Issue.record("eddy run did not stop within \(limit); its last log lines:\n\(logTail())", sourceLocation: sourceLocation)
            send(SIGKILL)
        }
        process.waitUntilExit()
        return process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGKILL ? nil : process.terminationStatus
    }
}
