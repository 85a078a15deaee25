import EddyKafka
import EddyKafkaTesting
import Testing

@Test func createdTopicIsDescribedWithItsRecords() throws {
    let name = try TestBroker.topic("describe", partitions: 3, records: 30, oneRecordPerBatch: true)
    let admin = try KafkaAdmin(configuration: try TestBroker.configuration)
    let description = try admin.describeTopic(name)
    #expect(description.partitions.map(\.id) == [0, 1, 2])
    #expect(description.partitions.map(\.high) == [10, 10, 10])
}

@Test func creatingAnExistingTopicIsRefusedUnlessIfMissing() throws {
    let admin = try KafkaAdmin(configuration: try TestBroker.configuration)
    let name = TestBroker.uniqueName("twice")
    try admin.createTopic(name, partitions: 1)
    #expect(throws: KafkaError.self) { try admin.createTopic(name, partitions: 1) }
    try admin.createTopic(name, partitions: 1, ifMissing: true)
}

@Test func producerCountsDeliveries() throws {
    let name = TestBroker.uniqueName("deliver")
    try KafkaAdmin(configuration: try TestBroker.configuration).createTopic(name, partitions: 2)
    let producer = try KafkaProducer(configuration: try TestBroker.configuration.forProducer())
    try sendKeyedRecords(500, to: name, with: producer)
    #expect(producer.deliveredCount == 500)
    #expect(producer.failedCount == 0)
}

@Test func unknownPropertyIsRefusedWithItsName() {
    var config = KafkaConfiguration(brokers: "127.0.0.1:1")
    config["no.such.property"] = "1"
    do {
        _ = try KafkaProducer(configuration: config, connectTimeoutMs: 1_000)
        Issue.record("an unknown property was accepted")
    } catch {
        #expect(error.name == "EDDY_UNKNOWN_PROPERTY")
        #expect(error.message.contains("no.such.property"))
    }
}

@Test func secretsAreRedactedWhenPrinted() {
    var config = KafkaConfiguration(brokers: "b:9092")
    config["sasl.password"] = "hunter2"
    config["ssl.key.password"] = "s3cret"
    config["sasl.username"] = "eddy"
    let shown = "\(config)"
    #expect(!shown.contains("hunter2"))
    #expect(!shown.contains("s3cret"))
    #expect(shown.contains("sasl.username=eddy"))
    #expect(shown.contains("sasl.password=[redacted]"))
}

@Test func unreachableBrokerIsAClearErrorWithinBoundedTime() {
    let clock = ContinuousClock()
    let start = clock.now
    do {
        _ = try KafkaConsumer(configuration: KafkaConfiguration(brokers: "127.0.0.1:1"), connectTimeoutMs: 2_000)
        Issue.record("a consumer was created against an address where nothing listens")
    } catch {
        #expect(error.message.contains("127.0.0.1:1"))
        #expect(error.message.contains("no Kafka broker answered"))
        #expect(error.isRetriable)
    }
    #expect(clock.now - start < .seconds(10))
}

/// A pipeline's dead-letter producer is built from its consumer configuration: without the
/// consumer-only properties, librdkafka has nothing to warn about at start-up.
@Test func aProducerFromAConsumerConfigurationStartsWithoutWarnings() throws {
    var consumer = try TestBroker.configuration
    consumer["group.id"] = "eddy-dead-letters"
    consumer["auto.offset.reset"] = "earliest"
    consumer["security.protocol"] = "plaintext"
    let warned = LogLines()
    _ = try KafkaProducer(configuration: consumer, logger: warned.logger)
    #expect(warned.lines.contains { $0.contains("rdkafka=CONFWARN") && $0.contains("group.id is a consumer property") },
            "the control: librdkafka warns about group.id")
    let quiet = LogLines()
    _ = try KafkaProducer(configuration: consumer.forProducer(), logger: quiet.logger)
    #expect(quiet.lines.filter { $0.contains("rdkafka=CONFWARN") } == [])
    #expect(consumer.forProducer()["security.protocol"] == "plaintext")
    #expect(consumer.forProducer()["bootstrap.servers"] == consumer["bootstrap.servers"])
}
