import CRdKafka
import Logging

/// Reads bounded offset ranges of partitions, without a consumer group and without touching
/// any group's committed offsets: the basis of replay and backfill. Each partition's range
/// `[a, b)` yields exactly its records in offset order, and the reader stops at `b` without
/// waiting for more. A range that reaches past the partition's current end stops at that end
/// (the end as fetches report it; some brokers answer offset queries wrongly, fetches rightly).
/// A start before the earliest stored offset is an error: the range cannot be read whole.
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
    private let ends: [TopicPartition: Int64]
    private var remaining: Set<TopicPartition>
    /// Where each partition's reading stopped (exclusive): its range end, or the partition's
    /// end where that came first. Complete once `next()` has returned nil.
    public private(set) var stoppedAt: [TopicPartition: Int64] = [:]

    public init(configuration: KafkaConfiguration, ranges: [TopicPartition: Range<Int64>],
                logger: Logger = Logger(label: "eddy.kafka"), connectTimeoutMs: Int32 = 10_000) throws(KafkaError) {
        var config = configuration
        config["group.id"] = nil
        config["enable.partition.eof"] = "true"
        consumer = try KafkaConsumer(configuration: config, logger: logger, connectTimeoutMs: connectTimeoutMs)
        var start: [TopicPartition: Int64?] = [:]
        for (tp, range) in ranges {
            if range.isEmpty {
                stoppedAt[tp] = range.lowerBound
                continue
            }
            let low = try consumer.watermarks(tp).low
            guard range.lowerBound >= low else {
                throw KafkaError(name: "EDDY_RANGE_UNAVAILABLE",
                                 message: "\(tp) starts at offset \(low) now (older records were deleted); the range \(range) cannot be read whole")
            }
            start[tp] = range.lowerBound
        }
        ends = ranges.mapValues(\.upperBound)
        remaining = Set(start.keys)
        if !start.isEmpty { try consumer.assign(start) }
    }

    /// The next records in range, or nil once every range has been read.
    public func next(maxRecords: Int = 5_000, timeoutMs: Int32 = 100) throws(KafkaError) -> KafkaBatch? {
        while !remaining.isEmpty {
            let ends = self.ends
            let batch = try consumer.poll(maxRecords: maxRecords, timeoutMs: timeoutMs) { topic, partition, offset, _ in
                offset < ends[TopicPartition(topic: topic, partition: partition)] ?? 0
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
        for record in batch where record.offset + 1 >= ends[record.topicPartition]! {
            done[record.topicPartition] = ends[record.topicPartition]!
        }
        for (tp, end) in batch.partitionEnds where remaining.contains(tp) {
            done[tp] = min(end, ends[tp]!)
        }
        let finished = done.filter { remaining.contains($0.key) }
        guard !finished.isEmpty else { return }
        for (tp, end) in finished { stoppedAt[tp] = end }
        remaining.subtract(finished.keys)
        try consumer.pause(Array(finished.keys))
    }

    /// Closes the underlying consumer.
    public func close() throws(KafkaError) { try consumer.close() }
}
