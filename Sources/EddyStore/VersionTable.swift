import Foundation

/// `eddy checkpoints` output: one line per version, newest first as given, with a column per
/// metric name (sorted; "-" where a version lacks it), numbers right-aligned.
///
/// ```swift
/// print(VersionTable.render(try store.versions(pipeline: "fraud", limit: 20)), terminator: "")
/// // VERSION  PIPELINE  PARENT  CREATED                   REASON    EVENTS  accuracy
/// //       2  fraud          1  2026-11-29T16:40:00.123Z  periodic  200000    0.9312
/// ```
public enum VersionTable {
    /// The table as text ending in a newline; a one-line note when there are no versions.
    public static func render(_ versions: [ModelVersionSummary]) -> String {
        guard !versions.isEmpty else { return "no model versions\n" }
        let metricNames = Set(versions.flatMap(\.metrics.keys)).sorted()
        var header = ["VERSION", "PIPELINE", "PARENT", "CREATED", "REASON", "EVENTS"]
        header += metricNames
        let rightAligned = Set([0, 2, 5] + metricNames.indices.map { $0 + 6 })
        let rows = versions.map { v in
            [String(v.id), v.pipeline, v.parentID.map(String.init) ?? "-", Timestamp.format(v.createdAt), v.reason,
             String(v.eventsSeen)]
                + metricNames.map { name in v.metrics[name].map(formatMetric) ?? "-" }
        }
        return TextTable.render(header: header, rows: rows, rightAligned: rightAligned)
    }

    /// Four decimals in the usual range, scientific notation outside it.
    static func formatMetric(_ value: Double) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value > 0 ? "inf" : "-inf" }
        let magnitude = abs(value)
        if magnitude != 0 && (magnitude < 1e-4 || magnitude >= 1e9) {
            return String(format: "%.4e", value)
        }
        return String(format: "%.4f", value)
    }
}

/// Column alignment shared by the store's text renderers.
enum TextTable {
    static func render(header: [String], rows: [[String]], rightAligned: Set<Int>) -> String {
        let widths = header.indices.map { column in
            ([header] + rows).map { $0[column].count }.max() ?? 0
        }
        func line(_ cells: [String]) -> String {
            let padded = cells.indices.map { column in
                let gap = String(repeating: " ", count: widths[column] - cells[column].count)
                return rightAligned.contains(column) ? gap + cells[column] : cells[column] + gap
            }
            var text = padded.joined(separator: "  ")
            while text.last == " " { text.removeLast() }
            return text
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n") + "\n"
    }
}
