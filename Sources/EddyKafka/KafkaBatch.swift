import CRdKafka

/// The records of one `poll`, in the order librdkafka delivered them (per partition, in
/// offset order). The batch owns librdkafka's message buffers and frees them when it goes
/// away; the records it hands out borrow from it.
///
/// Errors that came with the batch and that a retry can overcome (a broker down, a
/// coordinator moving) are in `errors`: they are reported, not thrown.
///
/// ```swift
/// let batch = try consumer.poll(maxRecords: 500, timeoutMs: 100)
/// print(batch.count, batch.errors)
/// for record in batch { handle(record) }
/// ```
public final class KafkaBatch: RandomAccessCollection {
    /// Owned: each pointer is destroyed in `deinit`.
    private let messages: UnsafeMutablePointer<UnsafeMutablePointer<rd_kafka_message_t>?>
    private let messageCount: Int
    /// Indices into `messages` of the records (error events excluded).
    private let recordSlots: [Int32]
    private let topicNames: [String]
    private let topicIndex: [Int32]
    /// Passing errors delivered with this batch.
    public let errors: [KafkaError]
    /// Partitions whose end this poll reached (only with `enable.partition.eof=true`), with
    /// the offset the next record will get: the partition's end as the fetch reported it.
    public let partitionEnds: [TopicPartition: Int64]

    /// Takes ownership of `count` messages in `messages` (a buffer allocated by the caller).
    /// `keep`, when given, decides per record (topic, partition, offset) whether the batch
    /// hands it out; records it rejects are freed with the batch but never shown.
    init(messages: UnsafeMutablePointer<UnsafeMutablePointer<rd_kafka_message_t>?>, count: Int,
         topicNames names: inout [UnsafeMutableRawPointer: String],
         keep: ((String, Int32, Int64) -> Bool)? = nil) {
        self.messages = messages
        self.messageCount = count
        var slots: [Int32] = []
        slots.reserveCapacity(count)
        var topicOfSlot: [Int32] = []
        topicOfSlot.reserveCapacity(count)
        var topics: [String] = []
        var lastTopic: OpaquePointer?
        var lastIndex: Int32 = -1
        var errors: [KafkaError] = []
        var ends: [TopicPartition: Int64] = [:]
        for i in 0..<count {
            let message = messages[i]!
            if message.pointee.err == RD_KAFKA_RESP_ERR__PARTITION_EOF, let rkt = message.pointee.rkt {
                ends[TopicPartition(topic: String(cString: rd_kafka_topic_name(rkt)), partition: message.pointee.partition)] = message.pointee.offset
                continue
            }
            if message.pointee.err != RD_KAFKA_RESP_ERR_NO_ERROR {
                errors.append(KafkaError(message.pointee.err, KafkaBatch.errorText(message)))
                continue
            }
            // Topic names are looked up once per topic handle, not once per record.
            if message.pointee.rkt != lastTopic {
                lastTopic = message.pointee.rkt
                let key = UnsafeMutableRawPointer(message.pointee.rkt!)
                let name = names[key] ?? String(cString: rd_kafka_topic_name(message.pointee.rkt))
                names[key] = name
                if let existing = topics.firstIndex(of: name) {
                    lastIndex = Int32(existing)
                } else {
                    topics.append(name)
                    lastIndex = Int32(topics.count - 1)
                }
            }
            if let keep, !keep(topics[Int(lastIndex)], message.pointee.partition, message.pointee.offset) {
                continue
            }
            slots.append(Int32(i))
            topicOfSlot.append(lastIndex)
        }
        self.recordSlots = slots
        self.topicNames = topics
        self.topicIndex = topicOfSlot
        self.errors = errors
        self.partitionEnds = ends
    }

    deinit {
        for i in 0..<messageCount { rd_kafka_message_destroy(messages[i]) }
        messages.deallocate()
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { recordSlots.count }

    public subscript(position: Int) -> KafkaRecord {
        let pointer = messages[Int(recordSlots[position])]!
        let message = pointer.pointee
        return KafkaRecord(
            topic: topicNames[Int(topicIndex[position])],
            partition: message.partition,
            offset: message.offset,
            key: message.key.map { UnsafeRawBufferPointer(start: $0, count: message.key_len) },
            value: UnsafeRawBufferPointer(start: message.payload, count: message.payload == nil ? 0 : message.len),
            message: pointer
        )
    }

    /// The topics of the batch's records, numbered as `place(at:)` gives them.
    public var topics: [String] { topicNames }

    /// Where the record at `position` is: its topic (an index into `topics`), partition and
    /// offset, read without building the record.
    public func place(at position: Int) -> (topic: Int, partition: Int32, offset: Int64) {
        let message = messages[Int(recordSlots[position])]!.pointee
        return (Int(topicIndex[position]), message.partition, message.offset)
    }

    /// The value bytes of the record at `position` (what `self[position].value` is, without
    /// building the record). Borrowed from the batch.
    public func value(at position: Int) -> UnsafeRawBufferPointer {
        let message = messages[Int(recordSlots[position])]!.pointee
        return UnsafeRawBufferPointer(start: message.payload, count: message.payload == nil ? 0 : message.len)
    }

    static func timestamp(of message: UnsafeMutablePointer<rd_kafka_message_t>) -> Int64? {
        var type = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let value = rd_kafka_message_timestamp(message, &type)
        return type == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE ? nil : value
    }

    private static func errorText(_ message: UnsafeMutablePointer<rd_kafka_message_t>) -> String {
        var where_ = "consuming"
        if let rkt = message.pointee.rkt {
            where_ += " \(String(cString: rd_kafka_topic_name(rkt)))[\(message.pointee.partition)]"
        }
        if let payload = message.pointee.payload, message.pointee.len > 0 {
            let text = String(decoding: UnsafeRawBufferPointer(start: payload, count: message.pointee.len), as: UTF8.self)
            return "\(where_): \(text)"
        }
        return where_
    }
}
