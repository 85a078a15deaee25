import EddyKafka
import EddyKafkaTesting
import Testing

/// A consumed record carries what was produced: partition, offset, key, value and timestamp.
@Test(.timeLimit(.minutes(1)))
func consumedRecordsCarryTheirKeyValueAndTimestamp() throws {
    let name = TestBroker.uniqueName("fields")
    try KafkaAdmin(configuration: try TestBroker.configuration).createTopic(name, partitions: 1)
    let producer = try KafkaProducer(configuration: try TestBroker.configuration.forProducer())
    try sendKeyedRecords(20, to: name, with: producer)
    let partition = TopicPartition(topic: name, partition: 0)
    let consumer = try KafkaConsumer(configuration: try TestBroker.configuration)
    try consumer.assign([partition: 0])
    var next: Int64 = 0
    while next < 20 {
        for record in try consumer.poll(maxRecords: 7, timeoutMs: 200) {
            #expect(record.topicPartition == partition)
            #expect(record.offset == next)
            #expect(record.key.map { Array($0) } == Array("k\(next)".utf8))
            #expect(Array(record.value) == Array("v\(next)".utf8))
            #expect(record.timestamp == keyedRecordTimestamp(Int(next)))
            next += 1
        }
    }
    try consumer.close()
}
