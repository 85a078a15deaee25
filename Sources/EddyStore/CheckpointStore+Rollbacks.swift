import Foundation
import GRDB

/// Manual rollback requests and the rollback history.
extension CheckpointStore {
    /// Asks the pipeline's consumer to go back to `version` (which must be one of the
    /// pipeline's versions) at its next batch; returns the request's id.
    public func requestRollback(pipeline: String, to version: Int64, reason: String) throws(StoreError) -> Int64 {
        let path = self.path
        return try write("requesting a rollback of '\(pipeline)' to v\(version)") { db in
            guard let owner = try String.fetchOne(db, sql: "SELECT pipeline FROM model_versions WHERE id = ?", arguments: [version]) else {
                throw StoreError.noSuchVersion(id: version, path: path)
            }
            guard owner == pipeline else {
                throw StoreError.invalidCheckpoint("version \(version) belongs to pipeline '\(owner)', not '\(pipeline)'")
            }
            try db.execute(
                sql: "INSERT INTO rollback_requests (pipeline, to_version, requested_at, reason) VALUES (?, ?, ?, ?)",
                arguments: [pipeline, version, Timestamp.format(Date()), reason])
            return db.lastInsertedRowID
        }
    }

    /// The pipeline's rollback requests not applied yet, oldest first.
    public func pendingRollbackRequests(pipeline: String) throws(StoreError) -> [RollbackRequest] {
        try rollbackRequests(pipeline: pipeline, pendingOnly: true)
    }

    /// The pipeline's rollback requests, newest first.
    public func rollbackRequests(pipeline: String, pendingOnly: Bool = false) throws(StoreError) -> [RollbackRequest] {
        try read("reading rollback requests of '\(pipeline)'") { db in
            let sql = pendingOnly
                ? "SELECT * FROM rollback_requests WHERE pipeline = ? AND applied_at IS NULL ORDER BY id"
                : "SELECT * FROM rollback_requests WHERE pipeline = ? ORDER BY id DESC"
            return try Row.fetchAll(db, sql: sql, arguments: [pipeline]).map { row in
                let id: Int64 = row["id"]
                return RollbackRequest(
                    id: id, pipeline: row["pipeline"], toVersion: row["to_version"],
                    requestedAt: try Self.time(row["requested_at"], table: "rollback_requests", id: id),
                    reason: row["reason"], appliedVersion: row["applied_version"], refusal: row["refusal"])
            }
        }
    }

    /// Marks a pending request as impossible to apply, with why, so that it is not tried again.
    public func refuseRollbackRequest(_ id: Int64, because refusal: String) throws(StoreError) {
        try write("refusing rollback request \(id)") { db in
            try db.execute(
                sql: "UPDATE rollback_requests SET applied_at = ?, refusal = ? WHERE id = ? AND applied_at IS NULL",
                arguments: [Timestamp.format(Date()), refusal, id])
        }
    }

    /// The pipeline's rollbacks as done, newest first: each with the version that recorded it.
    public func rollbacks(pipeline: String) throws(StoreError) -> [(versionID: Int64?, record: RollbackRecord)] {
        try read("reading rollbacks of '\(pipeline)'") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM rollbacks WHERE pipeline = ? ORDER BY id DESC", arguments: [pipeline]).map { row in
                let id: Int64 = row["id"]
                let record = RollbackRecord(
                    fromVersion: row["from_version"], toVersion: row["to_version"],
                    at: try Self.time(row["rolled_back_at"], table: "rollbacks", id: id), reason: row["reason"])
                return (row["version_id"], record)
            }
        }
    }
}
