import EddyKafka
import EddyKafkaTesting
import Testing

private func readAll(_ reader: KafkaRangeReader) throws -> [(Int32, Int64, String)] {
    var records: [(Int32, Int64, String)] = []
    while let batch = try reader.next(maxRecords: 64) {
        for record in batch { records.append((record.partition, record.offset, String(decoding: record.value, as: UTF8.self))) }
    }
    return records
}

@Test(.timeLimit(.minutes(1)))
func rangeReadsExactlyItsOffsetsAndStops() throws {
    let topic = try TestBroker.topic("range", partitions: 2, records: 2_000)
    let p1 = TopicPartition(topic: topic, partition: 1)
    let reader = try KafkaRangeReader(configuration: try TestBroker.configuration, ranges: [p1: 100..<350])
    let clock = ContinuousClock()
    let start = clock.now
    let records = try readAll(reader)
    #expect(records.count == 250)
    #expect(records.map(\.1) == Array(100..<350))
    #expect(records.allSatisfy { $0.0 == 1 })
    let expectedValues: [String] = (100..<350).map { (offset: Int) in String(offset * 2 + 1) }
    #expect(records.map(\.2) == expectedValues)
    #expect(clock.now - start < .seconds(10), "the reader waited for records past the end of its range")
    try reader.close()
}

@Test(.timeLimit(.minutes(1)))
func rangesOnSeveralPartitionsAndPastTheEnd() throws {
    let topic = try TestBroker.topic("ranges", partitions: 3, records: 300)
    let ranges: [TopicPartition: Range<Int64>] = [
        TopicPartition(topic: topic, partition: 0): 0..<100,
        TopicPartition(topic: topic, partition: 1): 90..<500,
        TopicPartition(topic: topic, partition: 2): 5..<5,
    ]
    let reader = try KafkaRangeReader(configuration: try TestBroker.configuration, ranges: ranges)
    let records = try readAll(reader)
    #expect(reader.stoppedAt[TopicPartition(topic: topic, partition: 1)] == 100)
    #expect(reader.stoppedAt[TopicPartition(topic: topic, partition: 0)] == 100)
    #expect(records.filter { $0.0 == 0 }.map(\.1) == Array(0..<100))
    #expect(records.filter { $0.0 == 1 }.map(\.1) == Array(90..<100))
    #expect(records.filter { $0.0 == 2 }.isEmpty)
}

@Test func rangeReaderLeavesGroupOffsetsAlone() throws {
    let topic = try TestBroker.topic("range-group", partitions: 1, records: 50)
    var config = try TestBroker.configuration
    let group = TestBroker.uniqueName("g-range")
    config["group.id"] = group
    let reader = try KafkaRangeReader(configuration: config, ranges: [TopicPartition(topic: topic, partition: 0): 0..<50])
    #expect(try readAll(reader).count == 50)
    try reader.close()
    let consumer = try KafkaConsumer(configuration: config)
    let committed = try consumer.committed([TopicPartition(topic: topic, partition: 0)])
    #expect(committed[TopicPartition(topic: topic, partition: 0)] == .some(nil))
    try consumer.close()
}
