import EddyKafka
import Foundation

/// The broker the tests talk to: the Tansu process `ops/test` starts, named by
/// EDDY_TEST_BROKERS. Without it the Kafka tests fail with instructions, never skip.
///
/// ```swift
/// let topic = try TestBroker.topic("once", partitions: 3, records: 1_000)
/// let consumer = try KafkaConsumer(configuration: try TestBroker.configuration)
/// ```
public enum TestBroker {
    public static var brokers: String {
        get throws {
            guard let brokers = ProcessInfo.processInfo.environment["EDDY_TEST_BROKERS"], !brokers.isEmpty else {
                throw TestBrokerMissing()
            }
            return brokers
        }
    }

    /// The test broker, with a short group session: Tansu holds a JoinGroup for half the
    /// session timeout waiting for other members (about 23 s at the 45 s default).
    public static var configuration: KafkaConfiguration {
        get throws { KafkaConfiguration(["bootstrap.servers": try brokers, "session.timeout.ms": "6000"]) }
    }

    /// A topic name no other test uses.
    public static func uniqueName(_ prefix: String) -> String {
        "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())"
    }

    /// Creates a topic with `partitions` partitions and writes `count` records to it,
    /// record i going to partition i % partitions with value "i".
    /// `oneRecordPerBatch` sends every record in its own batch: Tansu's offset queries
    /// (ListOffsets) count batches, not records, so only then do they give the true end.
    public static func topic(_ prefix: String, partitions: Int, records count: Int, oneRecordPerBatch: Bool = false) throws -> String {
        let name = uniqueName(prefix)
        let admin = try KafkaAdmin(configuration: try configuration)
        try admin.createTopic(name, partitions: partitions)
        var producerConfig = try configuration.forProducer()
        if oneRecordPerBatch {
            producerConfig["linger.ms"] = "0"
            producerConfig["batch.num.messages"] = "1"
        }
        let producer = try KafkaProducer(configuration: producerConfig)
        for i in 0..<count {
            try producer.send(topic: name, partition: Int32(i % partitions), value: Array(String(i).utf8))
        }
        try producer.flush()
        return name
    }
}

/// Why a broker test could not run.
public struct TestBrokerMissing: Error, CustomStringConvertible {
    public var description: String {
        "EDDY_TEST_BROKERS is not set: run the Kafka tests through ops/test, or start a broker with "
            + "ops/kafka start and set EDDY_TEST_BROKERS=127.0.0.1:19092"
    }
}
