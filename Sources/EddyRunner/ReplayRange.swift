import Foundation

/// The part of a pipeline's topics a replay reads: an offset range or a time range, applied
/// to every partition of the pipeline's topics (or only to the partitions named).
///
/// Offsets are `[from, to)`: `from` nil starts at the partition's first stored record, `to`
/// nil ends at the partition's end when the replay starts. Times are record timestamps in
/// milliseconds since the Unix epoch, `[from, to)`, either side open when nil; a time range
/// reads each partition whole and keeps exactly the records whose timestamps fall in it
/// (records without a timestamp are never in a time range).
///
/// ```swift
/// let firstThousand = try ReplayRange(offsets: 0, to: 1_000, partitions: [0, 2])
/// let lastWeek = try ReplayRange(time: try ReplayRange.parseTime("2026-11-22T00:00:00Z"),
///                                to: try ReplayRange.parseTime("2026-11-29T00:00:00Z"))
/// ```
public struct ReplayRange: Sendable, Equatable, CustomStringConvertible {
    public enum Bounds: Sendable, Equatable {
        case offsets(from: Int64?, to: Int64?)
        case time(fromMs: Int64?, toMs: Int64?)
    }

    public let bounds: Bounds
    /// Only these partition numbers (of every topic), ascending; nil: all partitions.
    public let partitions: [Int32]?

    /// An offset range; refused when `from >= to` or an offset or partition is negative.
    public init(offsets from: Int64?, to: Int64?, partitions: [Int32]? = nil) throws(ReplayError) {
        if let from, from < 0 { throw .invalidRange("--from-offset \(from) is negative") }
        if let to, to < 0 { throw .invalidRange("--to-offset \(to) is negative") }
        if let from, let to, from >= to {
            throw .invalidRange("--from-offset \(from) is not below --to-offset \(to): the range [\(from), \(to)) is empty")
        }
        bounds = .offsets(from: from, to: to)
        self.partitions = try Self.check(partitions)
    }

    /// A time range in milliseconds since the epoch; refused when `from >= to`.
    public init(time from: Int64?, to: Int64?, partitions: [Int32]? = nil) throws(ReplayError) {
        if let from, let to, from >= to {
            throw .invalidRange("--from-time \(Self.iso(from)) is not before --to-time \(Self.iso(to)): the range is empty")
        }
        bounds = .time(fromMs: from, toMs: to)
        self.partitions = try Self.check(partitions)
    }

    /// Reads a time as ISO-8601 (`2026-11-29T18:00:00Z`, fractional seconds and offsets such as
    /// `+01:00` allowed) or as milliseconds since the Unix epoch (`1795975200000`).
    public static func parseTime(_ text: String) throws(ReplayError) -> Int64 {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let ms = Int64(trimmed) { return ms }
        for options: ISO8601DateFormatter.Options in [[.withInternetDateTime, .withFractionalSeconds], [.withInternetDateTime]] {
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = options
            if let date = formatter.date(from: trimmed) { return Int64((date.timeIntervalSince1970 * 1000).rounded()) }
        }
        throw .invalidTime(text)
    }

    /// True when a record with this timestamp belongs to the range (always for offset ranges).
    @inline(__always)
    func admits(timestamp: Int64?) -> Bool {
        guard case .time(let from, let to) = bounds else { return true }
        guard let timestamp else { return false }
        return timestamp >= (from ?? .min) && timestamp < (to ?? .max)
    }

    public var description: String {
        let text: String
        switch bounds {
        case .offsets(let from, let to):
            text = "offsets [\(from.map(String.init) ?? "start"), \(to.map(String.init) ?? "end"))"
        case .time(let from, let to):
            text = "time [\(from.map(Self.iso) ?? "-inf"), \(to.map(Self.iso) ?? "+inf"))"
        }
        return partitions.map { "\(text) of partitions \($0.map(String.init).joined(separator: ","))" } ?? text
    }

    static func iso(_ ms: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date(timeIntervalSince1970: Double(ms) / 1000))
    }

    private static func check(_ partitions: [Int32]?) throws(ReplayError) -> [Int32]? {
        guard let partitions else { return nil }
        if let negative = partitions.first(where: { $0 < 0 }) { throw .invalidRange("--partition \(negative) is negative") }
        return Array(Set(partitions)).sorted()
    }
}
