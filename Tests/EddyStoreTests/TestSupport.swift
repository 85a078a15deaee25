import Foundation
import GRDB
@testable import EddyStore

/// A fresh directory under the system temp directory, removed by the caller with `remove()`.
struct TempDirectory {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "eddy-store-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { path + "/" + name }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// A time to the millisecond, as the store keeps them.
func millis(_ value: Int64) -> Date { Date(timeIntervalSince1970: Double(value) / 1000) }

/// A plain GRDB connection for looking at (or tampering with) a database behind the store's back.
func rawQueue(_ path: String) throws -> DatabaseQueue { try DatabaseQueue(path: path) }

/// A checkpoint with one partition and no side records.
func simpleCheckpoint(pipeline: String, run: Int64, parent: Int64?, events: Int, state: [UInt8] = [1, 2, 3]) -> Checkpoint {
    Checkpoint(
        pipeline: pipeline, runID: run, parentID: parent, reason: "periodic", eventsSeen: events,
        partitions: [PartitionProgress(topic: "events", partition: 0, nextOffset: Int64(events), eventsLearned: events, deadLettered: 0)],
        state: state, metrics: ["accuracy": 0.5])
}
