import Foundation

/// `eddy show` output: one version's lineage, reason, time, events, per-partition offsets and
/// counts, metrics, and the size of its state blob (not its bytes).
///
/// ```swift
/// if let version = try store.version(42) { print(VersionDetail.render(version), terminator: "") }
/// ```
public enum VersionDetail {
    /// The description as text ending in a newline.
    public static func render(_ version: ModelVersion) -> String {
        var text = """
            version      \(version.id)
            pipeline     \(version.pipeline)
            run          \(version.runID)
            parent       \(version.parentID.map(String.init) ?? "-")
            reason       \(version.reason)
            created      \(Timestamp.format(version.createdAt))
            events seen  \(version.eventsSeen)
            state        \(version.state.count) bytes

            """
        text += "\npartitions\n"
        if version.partitions.isEmpty {
            text += "  (none)\n"
        } else {
            let rows = version.partitions.map {
                [$0.topic, String($0.partition), String($0.nextOffset), String($0.eventsLearned), String($0.deadLettered)]
            }
            let table = TextTable.render(
                header: ["TOPIC", "PARTITION", "NEXT OFFSET", "LEARNED", "DEAD-LETTERED"], rows: rows,
                rightAligned: [1, 2, 3, 4])
            text += table.split(separator: "\n").map { "  " + $0 + "\n" }.joined()
            let learned = version.partitions.reduce(0) { $0 + $1.eventsLearned }
            let dead = version.partitions.reduce(0) { $0 + $1.deadLettered }
            text += "  total: \(learned) learned, \(dead) dead-lettered\n"
        }
        text += "\nmetrics\n"
        if version.metrics.isEmpty {
            text += "  (none)\n"
        } else {
            let width = version.metrics.keys.map(\.count).max() ?? 0
            for name in version.metrics.keys.sorted() {
                let pad = String(repeating: " ", count: width - name.count)
                text += "  \(name)\(pad)  \(VersionTable.formatMetric(version.metrics[name]!))\n"
            }
        }
        return text
    }
}
