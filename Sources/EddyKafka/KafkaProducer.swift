import CRdKafka
import Logging

/// A Kafka producer on librdkafka, for Eddy's tools, the demo and tests. Idempotent by
/// default (`enable.idempotence=true`: no duplicates or reordering on retries). `send`
/// queues a copy of the bytes; `flush` waits for every delivery report and throws if any
/// record was not delivered.
///
/// Not thread-safe: use one producer from one thread.
///
/// ```swift
/// let producer = try KafkaProducer(configuration: KafkaConfiguration(brokers: "127.0.0.1:19092"))
/// try producer.send(topic: "events", key: Array("k".utf8), value: Array(#"{"x":1}"#.utf8))
/// try producer.flush()
/// print(producer.deliveredCount)
/// ```
public final class KafkaProducer {
    /// Defaults Eddy applies unless the configuration says otherwise.
    public static let defaults: [String: String] = [
        "enable.idempotence": "true",
        "linger.ms": "5",
    ]

    private let client: KafkaClient
    private let reports: DeliveryReports

    public init(configuration: KafkaConfiguration, logger: Logger = Logger(label: "eddy.kafka"),
                connectTimeoutMs: Int32 = 10_000) throws(KafkaError) {
        let context = KafkaClientContext(logger: logger)
        let reports = DeliveryReports()
        context.delivery = { message in reports.record(message) }
        client = try KafkaClient(kind: RD_KAFKA_PRODUCER, configuration: configuration.withDefaults(Self.defaults), context: context)
        self.reports = reports
        try client.awaitBrokers(timeoutMs: connectTimeoutMs)
    }

    deinit {
        rd_kafka_flush(client.handle, 10_000)
    }

    /// Records acknowledged by the broker so far.
    public var deliveredCount: Int { reports.delivered }
    /// Records that failed for good so far.
    public var failedCount: Int { reports.failed }

    /// Queues one record (the bytes are copied). `partition` nil lets the partitioner choose
    /// (by key hash); `timestampMs` nil lets librdkafka stamp the current time. When the local
    /// queue is full, serves delivery reports until there is room.
    public func send(topic: String, partition: Int32? = nil, key: [UInt8]? = nil, value: [UInt8],
                     timestampMs: Int64? = nil) throws(KafkaError) {
        // Array's withUnsafeBytes rethrows untyped errors; carry ours out in a Result.
        let result = value.withUnsafeBytes { valueBytes in
            guard let key else {
                return Result { () throws(KafkaError) in
                    try send(topic: topic, partition: partition, key: nil, value: valueBytes, timestampMs: timestampMs)
                }
            }
            return key.withUnsafeBytes { keyBytes in
                Result { () throws(KafkaError) in
                    try send(topic: topic, partition: partition, key: keyBytes, value: valueBytes, timestampMs: timestampMs)
                }
            }
        }
        try result.get()
    }

    /// `send` for bytes the caller already holds in a buffer (copied before returning).
    public func send(topic: String, partition: Int32? = nil, key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer,
                     timestampMs: Int64? = nil) throws(KafkaError) {
        if let fatal = client.context.fatalError { throw fatal }
        while true {
            let err = eddy_rd_kafka_produce(client.handle, topic, partition ?? RD_KAFKA_PARTITION_UA,
                                            key?.baseAddress, key?.count ?? 0, value.baseAddress, value.count,
                                            timestampMs ?? 0, nil)
            switch err {
            case RD_KAFKA_RESP_ERR_NO_ERROR:
                rd_kafka_poll(client.handle, 0)
                return
            case RD_KAFKA_RESP_ERR__QUEUE_FULL:
                rd_kafka_poll(client.handle, 100)
            default:
                throw KafkaError(err, "producing to \(topic)")
            }
        }
    }

    /// Waits until every queued record is delivered or failed; throws on a timeout or when any
    /// record failed since the last flush (with the first failure's reason).
    public func flush(timeoutMs: Int32 = 30_000) throws(KafkaError) {
        let err = rd_kafka_flush(client.handle, timeoutMs)
        if let failure = reports.takeFirstFailure() { throw failure }
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(code: err.rawValue, name: String(cString: rd_kafka_err2name(err)),
                             message: "\(rd_kafka_outq_len(client.handle)) records still undelivered after \(timeoutMs) ms",
                             isRetriable: true)
        }
    }
}

/// Delivery counters, updated from delivery callbacks (which run inside poll/flush).
final class DeliveryReports: @unchecked Sendable {
    private(set) var delivered = 0
    private(set) var failed = 0
    private var firstFailure: KafkaError?

    func record(_ message: UnsafePointer<rd_kafka_message_t>) {
        if message.pointee.err == RD_KAFKA_RESP_ERR_NO_ERROR {
            delivered += 1
        } else {
            failed += 1
            if firstFailure == nil {
                let topic = message.pointee.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? "?"
                firstFailure = KafkaError(message.pointee.err, "delivering a record to \(topic)")
            }
        }
    }

    func takeFirstFailure() -> KafkaError? {
        defer { firstFailure = nil }
        return firstFailure
    }
}
