import CRdKafka
import Logging

/// Reads bounded offset ranges of partitions, without a consumer group and without touching
/// any group's committed offsets: the basis of replay and backfill. Each partition's range
/// `[a, b)` yields exactly its records in offset order, and the reader stops at `b` without
/// waiting for more. A range that reaches past the partition's current end stops at that end
/// (the end as fetches report it; some brokers answer offset queries wrongly, fetches rightly).
/// A start before the earliest stored offset is an error: the range cannot be read whole.
///
/// One reader can read several sets of ranges one after another (`read(_:)`), on one
/// connection: how a replay reads partitions one at a time without reconnecting.
///
/// ```swift
/// let events = TopicPartition(topic: "events", partition: 0)
/// let reader = try KafkaRangeReader(configuration: config, ranges: [events: 100..<200])
/// while let batch = try reader.next() {
///     for record in batch { backfill(record) }
/// }
/// ```
public final class KafkaRangeReader {
    private let consumer: KafkaConsumer
    private var ranges: [TopicPartition: Range<Int64>] = [:]
    private var remaining: Set<TopicPartition> = []
    /// Where each partition's reading stopped (exclusive): its range end, or the partition's
    /// end where that came first. Complete once `next()` has returned nil.
    public private(set) var stoppedAt: [TopicPartition: Int64] = [:]

    /// A reader with no ranges yet (give them to `read(_:)`).
    public init(configuration: KafkaConfiguration, logger: Logger = Logger(label: "eddy.kafka"),
                connectTimeoutMs: Int32 = 10_000) throws(KafkaError) {
        var config = configuration
        config["group.id"] = nil
        config["enable.partition.eof"] = "true"
        // The records of a range are already stored: a fetch that long-polls for more only
        // delays the next partition's first fetch (by up to 500 ms at librdkafka's default).
        if config["fetch.wait.max.ms"] == nil { config["fetch.wait.max.ms"] = "10" }
        consumer = try KafkaConsumer(configuration: config, logger: logger, connectTimeoutMs: connectTimeoutMs)
    }

    /// A reader of `ranges`.
    public convenience init(configuration: KafkaConfiguration, ranges: [TopicPartition: Range<Int64>],
                            logger: Logger = Logger(label: "eddy.kafka"), connectTimeoutMs: Int32 = 10_000) throws(KafkaError) {
        try self.init(configuration: configuration, logger: logger, connectTimeoutMs: connectTimeoutMs)
        try read(ranges)
    }

    /// Reads `ranges` next, instead of whatever was still being read.
    public func read(_ ranges: [TopicPartition: Range<Int64>]) throws(KafkaError) {
        var start: [TopicPartition: Int64?] = [:]
        for (tp, range) in ranges {
            if range.isEmpty {
                stoppedAt[tp] = range.lowerBound
                continue
            }
            stoppedAt[tp] = nil
            let low = try consumer.watermarks(tp).low
            guard range.lowerBound >= low else {
                throw KafkaError(name: "EDDY_RANGE_UNAVAILABLE",
                                 message: "\(tp) starts at offset \(low) now (older records were deleted); the range \(range) cannot be read whole")
            }
            start[tp] = range.lowerBound
        }
        self.ranges = ranges
        remaining = Set(start.keys)
        try consumer.assign(start)
    }

    /// The number of partitions of `topic`; nil for a topic the broker does not know.
    public func partitionCount(of topic: String) throws(KafkaError) -> Int? {
        try consumer.partitionCount(of: topic)
    }

    /// The earliest offset still stored in `partition`.
    public func firstOffset(of partition: TopicPartition) throws(KafkaError) -> Int64 {
        try consumer.watermarks(partition).low
    }

    /// The next records in range, or nil once every range has been read.
    public func next(maxRecords: Int = 5_000, timeoutMs: Int32 = 100) throws(KafkaError) -> KafkaBatch? {
        while !remaining.isEmpty {
            let ranges = self.ranges
            // Records come in runs of one partition: look its range up once per run.
            var lastTopic = "", lastPartition: Int32 = -1, lastRange: Range<Int64> = 0..<0
            let batch = try consumer.poll(maxRecords: maxRecords, timeoutMs: timeoutMs) { topic, partition, offset in
                if partition != lastPartition || topic != lastTopic {
                    (lastTopic, lastPartition) = (topic, partition)
                    lastRange = ranges[TopicPartition(topic: topic, partition: partition)] ?? 0..<0
                }
                return lastRange.contains(offset)
            }
            try retireFinished(after: batch)
            if !batch.isEmpty { return batch }
        }
        return nil
    }

    /// Retires partitions whose range is done: the last in-range offset was seen, or the
    /// partition's end was reached.
    private func retireFinished(after batch: KafkaBatch) throws(KafkaError) {
        var done: [TopicPartition: Int64] = [:]
        func check(_ last: (topic: Int, partition: Int32, offset: Int64)) {
            let tp = TopicPartition(topic: batch.topics[last.topic], partition: last.partition)
            if let end = ranges[tp]?.upperBound, last.offset + 1 >= end { done[tp] = end }
        }
        // The last record of each run of one partition.
        var previous: (topic: Int, partition: Int32, offset: Int64)?
        for i in batch.indices {
            let place = batch.place(at: i)
            if let p = previous, p.partition != place.partition || p.topic != place.topic { check(p) }
            previous = place
        }
        if let previous { check(previous) }
        for (tp, end) in batch.partitionEnds where remaining.contains(tp) {
            done[tp] = min(end, ranges[tp]!.upperBound)
        }
        let finished = done.filter { remaining.contains($0.key) }
        guard !finished.isEmpty else { return }
        for (tp, end) in finished { stoppedAt[tp] = end }
        remaining.subtract(finished.keys)
        try consumer.pause(Array(finished.keys))
    }

    /// Each partition's current end (the offset its next record will get) as a fetch reports
    /// it: the high watermark of a fetch from the partition's start. Offset queries
    /// (ListOffsets) are not used for this: some brokers count batches there, not records.
    /// Replaces whatever was being read. Throws when a partition does not answer within `timeoutMs`.
    ///
    /// ```swift
    /// let ends = try reader.ends(of: [events])
    /// try reader.read([events: 0..<ends[events]!])
    /// ```
    public func ends(of partitions: [TopicPartition], timeoutMs: Int32 = 30_000) throws(KafkaError) -> [TopicPartition: Int64] {
        let wanted = Set(partitions)
        guard !wanted.isEmpty else { return [:] }
        var start: [TopicPartition: Int64?] = [:]
        for tp in wanted { start[tp] = try consumer.watermarks(tp).low }
        ranges = [:]
        remaining = []
        try consumer.assign(start)
        var found: [TopicPartition: Int64] = [:]
        let clock = ContinuousClock()
        let deadline = clock.now + .milliseconds(Int64(timeoutMs))
        while found.count < wanted.count {
            guard clock.now < deadline else {
                let missing = wanted.subtracting(found.keys).sorted().map(\.description).joined(separator: ", ")
                throw KafkaError(name: "EDDY_END_UNKNOWN", message: "no fetch answered for \(missing) within \(timeoutMs) ms")
            }
            let batch = try consumer.poll(maxRecords: 10_000, timeoutMs: 100)
            for (tp, end) in batch.partitionEnds where wanted.contains(tp) { found[tp] = end }
            // A record arrives after its fetch response, whose high watermark is then known.
            for tp in Set(batch.map(\.topicPartition)) where found[tp] == nil && wanted.contains(tp) {
                if let high = consumer.fetchedHighWatermark(tp) { found[tp] = high }
            }
        }
        try consumer.assign([:])
        return found
    }

    /// Closes the underlying consumer.
    public func close() throws(KafkaError) { try consumer.close() }
}
