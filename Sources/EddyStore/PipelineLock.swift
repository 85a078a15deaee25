#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Synchronization

/// Exclusive right to run one pipeline on one database: `flock(LOCK_EX|LOCK_NB)` on
/// `<db path>.<pipeline>.lock`, which holds the holder's pid as text. The kernel drops the
/// lock when the process dies, even by `kill -9`; otherwise it is held until ``release()`` or
/// deinit.
///
/// ```swift
/// let lock = try store.lock(pipeline: "fraud")   // throws StoreError.pipelineBusy if running elsewhere
/// defer { lock.release() }
/// ```
public final class PipelineLock: Sendable {
    public let pipeline: String
    /// The lock file.
    public let path: String
    private let descriptor: Mutex<Int32>

    init(pipeline: String, path: String) throws(StoreError) {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .lockFailed(path: path, reason: String(cString: strerror(errno))) }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            if code == EWOULDBLOCK {
                let holder = Self.readPid(fd)
                close(fd)
                throw .pipelineBusy(pipeline: pipeline, holderPid: holder)
            }
            close(fd)
            throw .lockFailed(path: path, reason: String(cString: strerror(code)))
        }
        let text = Array("\(getpid())\n".utf8)
        guard ftruncate(fd, 0) == 0, text.withUnsafeBytes({ pwrite(fd, $0.baseAddress, $0.count, 0) }) == text.count else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw .lockFailed(path: path, reason: reason)
        }
        self.pipeline = pipeline
        self.path = path
        self.descriptor = Mutex(fd)
    }

    /// Gives the pipeline up; later calls do nothing.
    public func release() {
        descriptor.withLock { fd in
            guard fd >= 0 else { return }
            flock(fd, LOCK_UN)
            close(fd)
            fd = -1
        }
    }

    deinit {
        release()
    }

    /// The pid the holder wrote, if it has written one yet.
    private static func readPid(_ fd: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        let text = String(decoding: buffer[..<count], as: UTF8.self)
        return Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
