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

    /// Each partition's current end (the offset its next record will get) as a fetch reports
    /// it: the high watermark of a small fetch from the partition's start. Offset queries
    /// (ListOffsets) are not used for this: some brokers count batches there, not records.
    /// Throws when a partition does not answer within `timeoutMs`.
    ///
    /// ```swift
    /// let ends = try KafkaRangeReader.ends(of: [events], configuration: config)
    /// let reader = try KafkaRangeReader(configuration: config, ranges: [events: 0..<ends[events]!])
    /// ```
    public static func ends(of partitions: [TopicPartition], configuration: KafkaConfiguration,
                            logger: Logger = Logger(label: "eddy.kafka"), timeoutMs: Int32 = 30_000) throws(KafkaError) -> [TopicPartition: Int64] {
        guard !partitions.isEmpty else { return [:] }
        var config = configuration
        config["group.id"] = nil
        config["enable.partition.eof"] = "true"
        config["max.partition.fetch.bytes"] = "1"  // a broker still sends one whole batch
        let consumer = try KafkaConsumer(configuration: config, logger: logger, connectTimeoutMs: timeoutMs)
        defer { try? consumer.close() }
        try consumer.assign(Dictionary(uniqueKeysWithValues: partitions.map { ($0, Int64(-2)) }))  // RD_KAFKA_OFFSET_BEGINNING
        var ends: [TopicPartition: Int64] = [:]
        let clock = ContinuousClock()
        let deadline = clock.now + .milliseconds(Int64(timeoutMs))
        while ends.count < Set(partitions).count {
            guard clock.now < deadline else {
                let missing = Set(partitions).subtracting(ends.keys).sorted().map(\.description).joined(separator: ", ")
                throw KafkaError(name: "EDDY_END_UNKNOWN", message: "no fetch answered for \(missing) within \(timeoutMs) ms")
            }
            let batch = try consumer.poll(maxRecords: 1_000, timeoutMs: 100)
            for (tp, end) in batch.partitionEnds { ends[tp] = end }
            // A record arrives after its fetch response, whose high watermark is then known.
            for tp in Set(batch.map(\.topicPartition)) where ends[tp] == nil {
                if let high = consumer.fetchedHighWatermark(tp) { ends[tp] = high }
            }
        }
        return ends
    }

    /// Closes the underlying consumer.
    public func close() throws(KafkaError) { try consumer.close() }
}
