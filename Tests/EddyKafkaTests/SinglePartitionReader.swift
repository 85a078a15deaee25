import EddyKafka
import EddyKafkaTesting
import Testing

/// A fresh one-partition topic with `records` records on the test broker, and a consumer
/// assigned to its partition from `offset`, for tests of how a consumer reads.
///
/// ```swift
/// let reader = try SinglePartitionReader("lag", records: 100, from: 0)
/// let batch = try reader.consumer.poll(maxRecords: 10, timeoutMs: 200)
/// ```
struct SinglePartitionReader {
    let partition: TopicPartition
    let consumer: KafkaConsumer

    init(_ prefix: String, records: Int, from offset: Int64) throws {
        let topic = try TestBroker.topic(prefix, partitions: 1, records: records)
        partition = TopicPartition(topic: topic, partition: 0)
        consumer = try KafkaConsumer(configuration: try TestBroker.configuration)
        try consumer.assign([partition: offset])
    }

    /// Polls for `duration`, expecting nothing to arrive.
    func expectNothing(for duration: Duration, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let clock = ContinuousClock()
        let end = clock.now + duration
        while clock.now < end {
            #expect(try consumer.poll(maxRecords: 100, timeoutMs: 100).isEmpty, sourceLocation: sourceLocation)
        }
    }
}
