import CRdKafka
import Logging

/// A Kafka consumer on librdkafka: in a consumer group (`subscribe`, with a
/// `RebalanceListener`) or on explicit partitions (`assign`). Offsets are never committed
/// behind the owner's back (`enable.auto.commit=false`): the owner commits what it has saved.
///
/// Not thread-safe: use one consumer from one thread (the poll loop).
///
/// ```swift
/// var config = KafkaConfiguration(brokers: "127.0.0.1:19092")
/// config["group.id"] = "eddy"
/// let consumer = try KafkaConsumer(configuration: config)
/// try consumer.subscribe(["events"])
/// while running {
///     let batch = try consumer.poll(maxRecords: 1000, timeoutMs: 100)
///     var next: [TopicPartition: Int64] = [:]
///     for record in batch { process(record); next[record.topicPartition] = record.offset + 1 }
///     try consumer.commit(next)
/// }
/// try consumer.close()
/// ```
public final class KafkaConsumer {
    /// Defaults Eddy applies unless the configuration says otherwise.
    ///
    /// `fetch.queue.backoff.ms`: when its prefetch queue is full, librdkafka postpones the
    /// partition's next fetch by this long (its own default: a whole second). A consumer that
    /// empties a full queue faster than that (Eddy learns a few hundred thousand events a
    /// second) would then find the queue dry and wait for the fetch, idle. Looking again
    /// every 10 ms keeps fetching overlapped with processing.
    public static let defaults: [String: String] = [
        "enable.auto.commit": "false",
        "enable.auto.offset.store": "false",
        "auto.offset.reset": "earliest",
        "enable.partition.eof": "false",
        "fetch.queue.backoff.ms": "10",
    ]

    private let client: KafkaClient
    /// Owned reference to the consumer queue; destroyed in `close`/`deinit`.
    private var queue: OpaquePointer?
    private var topicNames: [UnsafeMutableRawPointer: String] = [:]
    private var closed = false
    let logger: Logger

    /// Creates the consumer and waits (at most `connectTimeoutMs`) until a broker answers,
    /// so that a wrong address is a clear error now rather than a silent wait later.
    public init(configuration: KafkaConfiguration, listener: RebalanceListener? = nil,
                logger: Logger = Logger(label: "eddy.kafka"), connectTimeoutMs: Int32 = 10_000) throws(KafkaError) {
        let context = KafkaClientContext(logger: logger)
        if let listener {
            context.rebalance = { rk, err, list in
                KafkaConsumer.rebalance(rk, err, list, listener, logger)
            }
        }
        var config = configuration.withDefaults(Self.defaults)
        if config["group.id"] == nil {
            // librdkafka wants a group for its consumer; an assign-only consumer never joins it.
            config["group.id"] = "eddy-assign-only"
        }
        client = try KafkaClient(kind: RD_KAFKA_CONSUMER, configuration: config, context: context)
        self.logger = logger
        rd_kafka_poll_set_consumer(client.handle)
        queue = rd_kafka_queue_get_consumer(client.handle)
        try client.awaitBrokers(timeoutMs: connectTimeoutMs)
    }

    deinit {
        if !closed { try? close() }
    }

    /// librdkafka's version string, e.g. `2.8.0`.
    public static var librdkafkaVersion: String { String(cString: rd_kafka_version_str()) }

    /// Joins the consumer group for `topics`; partitions arrive through the listener during `poll`.
    public func subscribe(_ topics: [String]) throws(KafkaError) {
        let list = NativePartitionList.make(topics.map { (TopicPartition(topic: $0, partition: -1), nil) })
        defer { rd_kafka_topic_partition_list_destroy(list) }
        let err = rd_kafka_subscribe(client.handle, list)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(err, "subscribing to \(topics)") }
    }

    /// Reads exactly these partitions, each from the given offset (nil: the committed offset),
    /// without joining a group. Replaces any previous assignment.
    public func assign(_ start: [TopicPartition: Int64?]) throws(KafkaError) {
        let list = NativePartitionList.make(start.keys.sorted().map { ($0, start[$0]!) })
        defer { rd_kafka_topic_partition_list_destroy(list) }
        let err = rd_kafka_assign(client.handle, list)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(err, "assigning \(start.keys.sorted())") }
    }

    /// The partitions currently assigned to this consumer.
    public func assignment() throws(KafkaError) -> [TopicPartition] {
        var list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
        let err = rd_kafka_assignment(client.handle, &list)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR, let list else { throw KafkaError(err, "reading the assignment") }
        defer { rd_kafka_topic_partition_list_destroy(list) }
        return NativePartitionList.read(list).map(\.0).sorted()
    }

    /// Returns at most `maxRecords` records: at once those already fetched, or, when none
    /// are, as soon as some arrive (with whatever arrived with them), waiting at most
    /// `timeoutMs` (then possibly none). It never waits to fill the batch. Rebalance callbacks run inside this call. Passing errors come
    /// in the batch's `errors`; a fatal error is thrown.
    public func poll(maxRecords: Int = 1000, timeoutMs: Int32 = 100) throws(KafkaError) -> KafkaBatch {
        try poll(maxRecords: maxRecords, timeoutMs: timeoutMs, keep: nil)
    }

    /// `poll`, handing out only the records `keep` accepts (by topic, partition and offset).
    func poll(maxRecords: Int, timeoutMs: Int32, keep: ((String, Int32, Int64) -> Bool)?) throws(KafkaError) -> KafkaBatch {
        precondition(!closed, "poll on a closed consumer")
        precondition(maxRecords > 0, "maxRecords must be positive")
        if let fatal = client.context.fatalError { throw fatal }
        let buffer = UnsafeMutablePointer<UnsafeMutablePointer<rd_kafka_message_t>?>.allocate(capacity: maxRecords)
        // librdkafka's batch call waits until the batch is full or the timeout passes; so take
        // what is queued without waiting, and wait only on an empty queue, for one record.
        var count = rd_kafka_consume_batch_queue(queue, 0, buffer, maxRecords)
        if count == 0 && timeoutMs > 0 {
            count = rd_kafka_consume_batch_queue(queue, Int32(timeoutMs), buffer, 1)
            // The record waited for usually came with a whole fetch response: take the rest too.
            if count == 1 && maxRecords > 1 {
                let more = rd_kafka_consume_batch_queue(queue, 0, buffer + 1, maxRecords - 1)
                if more > 0 { count += more }
            }
        }
        if count < 0 {
            buffer.deallocate()
            throw KafkaError(rd_kafka_last_error(), "polling")
        }
        let batch = KafkaBatch(messages: buffer, count: count, topicNames: &topicNames, keep: keep)
        for error in batch.errors {
            logger.warning("\(error)")
            client.context.record(error)
        }
        if let fatal = client.context.fatalError { throw fatal }
        return batch
    }

    /// The passing errors reported since the last call (broker connections lost, coordinator
    /// moves, errors that came with batches), oldest first. librdkafka retries these itself;
    /// they are for logs and metrics. Fatal errors are thrown by `poll` instead.
    public func takeErrors() -> [KafkaError] {
        client.context.takeErrors()
    }

    /// Commits the offset of the next record to read for each partition (the last processed
    /// offset + 1) and waits up to `timeoutMs` for the group coordinator to confirm it. When
    /// the coordinator cannot be reached in time the commit is still under way and a
    /// retriable error is thrown: commit the same (or later) offsets again later.
    public func commit(_ nextOffsets: [TopicPartition: Int64], timeoutMs: Int32 = 10_000) throws(KafkaError) {
        guard !nextOffsets.isEmpty else { return }
        let list = NativePartitionList.make(nextOffsets.keys.sorted().map { ($0, nextOffsets[$0]!) })
        defer { rd_kafka_topic_partition_list_destroy(list) }
        // A private queue receives the commit result, so the wait is bounded (a plain
        // synchronous commit waits for as long as the coordinator is away).
        let resultQueue = rd_kafka_queue_new(client.handle)
        defer { rd_kafka_queue_destroy(resultQueue) }
        let err = rd_kafka_commit_queue(client.handle, list, resultQueue, nil, nil)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(err, "committing offsets") }
        guard let event = rd_kafka_queue_poll(resultQueue, Int32(timeoutMs)) else {
            throw KafkaError(code: RD_KAFKA_RESP_ERR__TIMED_OUT.rawValue, name: "_TIMED_OUT",
                             message: "committing offsets: the group coordinator did not confirm within \(timeoutMs) ms",
                             isRetriable: true)
        }
        defer { rd_kafka_event_destroy(event) }
        let eventErr = rd_kafka_event_error(event)
        guard eventErr == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(eventErr, "committing offsets") }
        if let committed = rd_kafka_event_topic_partition_list(event) {
            for (tp, _, err) in NativePartitionList.read(committed) where err != RD_KAFKA_RESP_ERR_NO_ERROR {
                throw KafkaError(err, "committing the offset of \(tp)")
            }
        }
    }

    /// The group's committed offsets (next offset to read) for `partitions`; nil where none is committed.
    public func committed(_ partitions: [TopicPartition], timeoutMs: Int32 = 10_000) throws(KafkaError) -> [TopicPartition: Int64?] {
        let list = NativePartitionList.make(partitions.map { ($0, nil) })
        defer { rd_kafka_topic_partition_list_destroy(list) }
        let err = rd_kafka_committed(client.handle, list, timeoutMs)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(err, "reading committed offsets") }
        var result: [TopicPartition: Int64?] = [:]
        for (tp, offset, _) in NativePartitionList.read(list) { result[tp] = offset >= 0 ? offset : nil }
        return result
    }

    /// Stops fetching from `partitions` until `resume`; already fetched records may still arrive.
    public func pause(_ partitions: [TopicPartition]) throws(KafkaError) {
        try changeFetching(partitions, pause: true)
    }

    /// Resumes fetching from paused partitions.
    public func resume(_ partitions: [TopicPartition]) throws(KafkaError) {
        try changeFetching(partitions, pause: false)
    }

    private func changeFetching(_ partitions: [TopicPartition], pause: Bool) throws(KafkaError) {
        let list = NativePartitionList.make(partitions.map { ($0, nil) })
        defer { rd_kafka_topic_partition_list_destroy(list) }
        let err = pause ? rd_kafka_pause_partitions(client.handle, list) : rd_kafka_resume_partitions(client.handle, list)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(err, pause ? "pausing" : "resuming") }
    }

    /// The next offset this consumer will read for each partition; nil where nothing was read yet.
    public func positions(_ partitions: [TopicPartition]) throws(KafkaError) -> [TopicPartition: Int64?] {
        let list = NativePartitionList.make(partitions.map { ($0, nil) })
        defer { rd_kafka_topic_partition_list_destroy(list) }
        let err = rd_kafka_position(client.handle, list)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(err, "reading positions") }
        var result: [TopicPartition: Int64?] = [:]
        for (tp, offset, _) in NativePartitionList.read(list) { result[tp] = offset >= 0 ? offset : nil }
        return result
    }

    /// The low and high watermarks of a partition, asked of the broker.
    public func watermarks(_ partition: TopicPartition, timeoutMs: Int32 = 10_000) throws(KafkaError) -> (low: Int64, high: Int64) {
        var low: Int64 = 0, high: Int64 = 0
        let err = rd_kafka_query_watermark_offsets(client.handle, partition.topic, partition.partition, &low, &high, timeoutMs)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(err, "reading the watermarks of \(partition)") }
        return (low, high)
    }

    /// The high watermark the last fetch response of `partition` carried; nil before any fetch.
    func fetchedHighWatermark(_ partition: TopicPartition) -> Int64? {
        var low: Int64 = -1, high: Int64 = -1
        rd_kafka_get_watermark_offsets(client.handle, partition.topic, partition.partition, &low, &high)
        return high >= 0 ? high : nil
    }

    /// Records not yet read, per assigned partition: the high watermark minus the position.
    /// When nothing was read from a partition yet, the position is the one in `started`
    /// (where the caller had it start, which the group's committed offset may lag behind),
    /// else the committed offset. Uses the watermarks learned from fetches; asks the broker
    /// only when none is known.
    public func lag(started: [TopicPartition: Int64] = [:]) throws(KafkaError) -> [TopicPartition: Int64] {
        let partitions = try assignment()
        let position = try positions(partitions)
        var committedOffsets: [TopicPartition: Int64?] = [:]
        if position.values.contains(where: { $0 == nil }) { committedOffsets = try committed(partitions) }
        var result: [TopicPartition: Int64] = [:]
        for tp in partitions {
            var low: Int64 = -1, high: Int64 = -1
            rd_kafka_get_watermark_offsets(client.handle, tp.topic, tp.partition, &low, &high)
            if high < 0 { high = try watermarks(tp).high }
            let next = (position[tp] ?? nil) ?? started[tp] ?? (committedOffsets[tp] ?? nil) ?? low
            result[tp] = max(0, high - max(next, 0))
        }
        return result
    }

    /// The number of partitions of `topic` as the broker's metadata says; nil for an unknown topic.
    public func partitionCount(of topic: String, timeoutMs: Int32 = 10_000) throws(KafkaError) -> Int? {
        try client.partitionCount(topic: topic, timeoutMs: timeoutMs)
    }

    /// Leaves the group (revoking partitions through the listener) and closes the consumer.
    public func close() throws(KafkaError) {
        guard !closed else { return }
        closed = true
        let err = rd_kafka_consumer_close(client.handle)
        if let queue { rd_kafka_queue_destroy(queue) }
        queue = nil
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(err, "closing the consumer") }
    }

    /// Serves a rebalance: asks the listener, then applies the (incremental or eager) assignment.
    private static func rebalance(_ rk: OpaquePointer, _ err: rd_kafka_resp_err_t,
                                  _ list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>,
                                  _ listener: RebalanceListener, _ logger: Logger) {
        let cooperative = String(cString: rd_kafka_rebalance_protocol(rk)) == "COOPERATIVE"
        let partitions = NativePartitionList.read(list).map(\.0)
        switch err {
        case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
            let start = listener.partitionsAssigned(partitions)
            for i in 0..<Int(list.pointee.cnt) {
                let tp = TopicPartition(topic: String(cString: list.pointee.elems[i].topic), partition: list.pointee.elems[i].partition)
                list.pointee.elems[i].offset = start[tp] ?? Int64(RD_KAFKA_OFFSET_INVALID)
            }
            logger.info("partitions assigned: \(partitions.map(\.description).joined(separator: ", "))")
            if cooperative {
                if let error = rd_kafka_incremental_assign(rk, list) { logger.error("\(KafkaError(consuming: error, "assigning partitions"))") }
            } else {
                let result = rd_kafka_assign(rk, list)
                if result != RD_KAFKA_RESP_ERR_NO_ERROR { logger.error("\(KafkaError(result, "assigning partitions"))") }
            }
        case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
            listener.partitionsRevoked(partitions)
            logger.info("partitions revoked: \(partitions.map(\.description).joined(separator: ", "))")
            if cooperative {
                if let error = rd_kafka_incremental_unassign(rk, list) { logger.error("\(KafkaError(consuming: error, "revoking partitions"))") }
            } else {
                rd_kafka_assign(rk, nil)
            }
        default:
            logger.error("\(KafkaError(err, "rebalancing"))")
            rd_kafka_assign(rk, nil)
        }
    }
}
