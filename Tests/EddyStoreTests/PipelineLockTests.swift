import Foundation
import Testing
@testable import EddyStore

@Suite struct PipelineLockTests {
    @Test func aSecondHolderInTheSameProcessIsRefusedUntilRelease() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let path = dir.file("eddy.sqlite")
        let first = try CheckpointStore(path: path)
        let second = try CheckpointStore(path: path)
        let lock = try first.lock(pipeline: "fraud")
        #expect(try String(contentsOfFile: path + ".fraud.lock", encoding: .utf8) == "\(getpid())\n")
        #expect(throws: StoreError.pipelineBusy(pipeline: "fraud", holderPid: getpid())) {
            try second.lock(pipeline: "fraud")
        }
        // Another pipeline on the same database is independent.
        let other = try second.lock(pipeline: "regression")
        other.release()
        lock.release()
        lock.release()
        let again = try second.lock(pipeline: "fraud")
        _ = again
    }

    @Test func droppingTheLockObjectReleasesIt() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let store = try CheckpointStore(path: dir.file("eddy.sqlite"))
        do {
            let lock = try store.lock(pipeline: "fraud")
            #expect(lock.pipeline == "fraud")
        }
        _ = try store.lock(pipeline: "fraud")
    }

    /// Another process holds the lock (flock(1) on the same file, writing its pid as eddy
    /// does); we are refused with its pid, and after it is killed with SIGKILL the kernel has
    /// released the lock and we get it.
    @Test func aLockHeldByAnotherProcessIsRefusedAndFreedByKillMinus9() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let path = dir.file("eddy.sqlite")
        let store = try CheckpointStore(path: path)
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/bin/sh")
        holder.arguments = [
            "-c", #"exec 9<>"$0"; flock -n 9 || exit 3; printf '%s\n' $$ > "$0"; echo locked; exec sleep 60"#,
            path + ".fraud.lock",
        ]
        let output = Pipe()
        holder.standardOutput = output
        try holder.run()
        defer { if holder.isRunning { kill(holder.processIdentifier, SIGKILL) } }
        let line = String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
        #expect(line == "locked\n")
        #expect(throws: StoreError.pipelineBusy(pipeline: "fraud", holderPid: holder.processIdentifier)) {
            try store.lock(pipeline: "fraud")
        }
        let message = StoreError.pipelineBusy(pipeline: "fraud", holderPid: holder.processIdentifier).description
        #expect(message.contains("pid \(holder.processIdentifier)"))
        kill(holder.processIdentifier, SIGKILL)
        holder.waitUntilExit()
        #expect(holder.terminationReason == .uncaughtSignal)
        let lock = try store.lock(pipeline: "fraud")
        #expect(try String(contentsOfFile: lock.path, encoding: .utf8) == "\(getpid())\n")
    }

    @Test func pipelineNamesThatAreNotFileNamesAreRefused() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let store = try CheckpointStore(path: dir.file("eddy.sqlite"))
        for name in ["", "a/b", "..", "fraud detection"] {
            #expect(throws: StoreError.invalidPipelineName(name)) { try store.lock(pipeline: name) }
        }
    }
}
