import CRdKafka

/// One record as handed out by a `KafkaBatch`. `key` and `value` point into librdkafka's
/// own buffers (no copy): they are valid while the batch that produced the record is
/// alive. Copy them (`Array(record.value)`) to keep them longer.
///
/// ```swift
/// let batch = try consumer.poll(maxRecords: 1000, timeoutMs: 100)
/// for record in batch {
///     let text = String(decoding: record.value, as: UTF8.self)
///     print(record.topic, record.partition, record.offset, text)
/// }
/// ```
public struct KafkaRecord {
    public let topic: String
    public let partition: Int32
    public let offset: Int64
    /// The key bytes; nil for a record without a key. Borrowed from the batch.
    public let key: UnsafeRawBufferPointer?
    /// The value bytes (empty for a null value). Borrowed from the batch.
    public let value: UnsafeRawBufferPointer
    /// librdkafka's message, owned by the batch; read on demand for what most records never need.
    let message: UnsafeMutablePointer<rd_kafka_message_t>

    /// Milliseconds since the Unix epoch (create or log-append time), nil when the record has none.
    public var timestamp: Int64? { KafkaBatch.timestamp(of: message) }

    /// Where the record came from.
    public var topicPartition: TopicPartition { TopicPartition(topic: topic, partition: partition) }
}
