import CRdKafka
import Logging

/// The partitions of a topic, with their watermarks, as `KafkaAdmin.describeTopic` reports them.
///
/// ```swift
/// let topic = try admin.describeTopic("events")
/// print(topic.partitions.count, topic.partitions.map(\.high).reduce(0, +))
/// ```
public struct TopicDescription: Sendable, Equatable {
    public struct Partition: Sendable, Equatable {
        public var id: Int32
        public var leader: Int32
        /// The earliest offset still stored.
        public var low: Int64
        /// The offset the next record will get (the end of the partition).
        public var high: Int64
    }

    public var name: String
    public var partitions: [Partition]
}

/// Creates and describes topics.
///
/// ```swift
/// let admin = try KafkaAdmin(configuration: KafkaConfiguration(brokers: "127.0.0.1:19092"))
/// try admin.createTopic("events", partitions: 3)
/// let description = try admin.describeTopic("events")
/// ```
public final class KafkaAdmin {
    private let client: KafkaClient

    public init(configuration: KafkaConfiguration, logger: Logger = Logger(label: "eddy.kafka"),
                connectTimeoutMs: Int32 = 10_000) throws(KafkaError) {
        // Admin requests go through a producer handle, which would warn about each consumer
        // property of a configuration shared with a consumer.
        client = try KafkaClient(kind: RD_KAFKA_PRODUCER, configuration: configuration.forProducer(),
                                 context: KafkaClientContext(logger: logger))
        try client.awaitBrokers(timeoutMs: connectTimeoutMs)
    }

    /// Creates a topic; with `ifMissing`, an existing topic of that name is accepted as is.
    public func createTopic(_ name: String, partitions: Int, replicationFactor: Int = 1,
                            config: [String: String] = [:], ifMissing: Bool = false,
                            timeoutMs: Int32 = 30_000) throws(KafkaError) {
        var errstr = [CChar](repeating: 0, count: 512)
        guard let topic = rd_kafka_NewTopic_new(name, Int32(partitions), Int32(replicationFactor), &errstr, errstr.count) else {
            throw KafkaError(name: "EDDY_INVALID_TOPIC", message: "topic \(name) refused: \(String(errorBuffer: errstr))")
        }
        defer { rd_kafka_NewTopic_destroy(topic) }
        for (key, value) in config.sorted(by: { $0.key < $1.key }) {
            let err = rd_kafka_NewTopic_set_config(topic, key, value)
            guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(err, "topic config \(key)=\(value)") }
        }
        let queue = rd_kafka_queue_new(client.handle)
        defer { rd_kafka_queue_destroy(queue) }
        let options = rd_kafka_AdminOptions_new(client.handle, RD_KAFKA_ADMIN_OP_CREATETOPICS)
        defer { rd_kafka_AdminOptions_destroy(options) }
        rd_kafka_AdminOptions_set_operation_timeout(options, timeoutMs, &errstr, errstr.count)
        var topics: [OpaquePointer?] = [topic]
        rd_kafka_CreateTopics(client.handle, &topics, 1, options, queue)
        guard let event = rd_kafka_queue_poll(queue, timeoutMs + 5_000) else {
            throw KafkaError(name: "_TIMED_OUT", message: "creating topic \(name): no answer within \(timeoutMs) ms", isRetriable: true)
        }
        defer { rd_kafka_event_destroy(event) }
        let eventErr = rd_kafka_event_error(event)
        guard eventErr == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(eventErr, "creating topic \(name)") }
        var count = 0
        guard let result = rd_kafka_event_CreateTopics_result(event),
              let results = rd_kafka_CreateTopics_result_topics(result, &count), count == 1 else {
            throw KafkaError(name: "EDDY_ADMIN", message: "creating topic \(name): the broker sent no result")
        }
        let err = rd_kafka_topic_result_error(results[0])
        if err == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS && ifMissing { return }
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            let text = rd_kafka_topic_result_error_string(results[0]).map { String(cString: $0) } ?? ""
            throw KafkaError(err, "creating topic \(name)\(text.isEmpty ? "" : " (\(text))")")
        }
    }

    /// The topic's partitions with their leaders and watermarks; throws `UNKNOWN_TOPIC_OR_PART`
    /// when the broker does not know the topic.
    public func describeTopic(_ name: String, timeoutMs: Int32 = 10_000) throws(KafkaError) -> TopicDescription {
        let rkt = rd_kafka_topic_new(client.handle, name, nil)
        defer { rd_kafka_topic_destroy(rkt) }
        var metadata: UnsafePointer<rd_kafka_metadata>?
        let err = rd_kafka_metadata(client.handle, 0, rkt, &metadata, timeoutMs)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else { throw KafkaError(err, "describing topic \(name)") }
        defer { rd_kafka_metadata_destroy(metadata) }
        guard metadata.pointee.topic_cnt == 1 else {
            throw KafkaError(RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART, "describing topic \(name)")
        }
        let entry = metadata.pointee.topics[0]
        guard entry.err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(entry.err, "describing topic \(name)") }
        var partitions: [TopicDescription.Partition] = []
        for i in 0..<Int(entry.partition_cnt) {
            let p = entry.partitions[i]
            var low: Int64 = 0, high: Int64 = 0
            let werr = rd_kafka_query_watermark_offsets(client.handle, name, p.id, &low, &high, timeoutMs)
            guard werr == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(werr, "reading watermarks of \(name)[\(p.id)]") }
            partitions.append(.init(id: p.id, leader: p.leader, low: low, high: high))
        }
        return TopicDescription(name: name, partitions: partitions.sorted { $0.id < $1.id })
    }
}
