import EddyStore

/// What a replay did, for the command's last line and for tests.
///
/// ```swift
/// let summary = try PipelineReplay(spec: spec, range: range).run()
/// print(summary.eventsLearned, summary.lastVersion ?? 0, summary.interrupted)
/// ```
public struct ReplaySummary: Sendable, Equatable {
    /// The `runs` row of the replay.
    public var runID: Int64
    /// The version the replay warm-started from (the parent of its first version); nil for a fresh lineage.
    public var warmStart: Int64?
    /// The replay's first and last versions (reason `replay`).
    public var firstVersion: Int64?
    public var lastVersion: Int64?
    /// Per partition read, in (topic, partition) order: the offset reading started at, where it
    /// stopped (exclusive), and the events this replay learned and set aside there.
    public var partitions: [ReplayedPartition]
    /// Records read from Kafka, whether or not their timestamps were in range.
    public var recordsRead: Int
    public var eventsLearned: Int
    public var deadLettered: Int
    public var checkpoints: Int
    public var drifts: Int
    /// Seconds spent reading and learning (from the start of the first partition's reading to
    /// the end of the last's; setup and the final checkpoint excluded).
    public var activeSeconds: Double
    /// Stopped by a signal before the range was read whole; the last version holds what was learned.
    public var interrupted: Bool
}

/// One partition's share of a replay.
public struct ReplayedPartition: Sendable, Equatable {
    public var topic: String
    public var partition: Int32
    /// The offsets read: `[from, to)`.
    public var from: Int64
    public var to: Int64
    public var eventsLearned: Int
    public var deadLettered: Int
}

/// Where a replay is, handed to the progress callback after every batch.
///
/// ```swift
/// let summary = try replay.run { p in print(p.offsetsRead, "/", p.offsetsTotal, p.eventsLearned) }
/// ```
public struct ReplayProgress: Sendable {
    /// Offsets read so far and in all (for a time range: the whole partitions scanned).
    public var offsetsRead: Int64
    public var offsetsTotal: Int64
    public var eventsLearned: Int
    public var deadLettered: Int
    /// Since the first record was read.
    public var elapsed: Duration
    /// True on the last call.
    public var finished: Bool

    public init(offsetsRead: Int64, offsetsTotal: Int64, eventsLearned: Int, deadLettered: Int, elapsed: Duration, finished: Bool) {
        self.offsetsRead = offsetsRead
        self.offsetsTotal = offsetsTotal
        self.eventsLearned = eventsLearned
        self.deadLettered = deadLettered
        self.elapsed = elapsed
        self.finished = finished
    }
}
