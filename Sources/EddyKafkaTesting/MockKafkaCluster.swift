import CRdKafka

/// librdkafka's in-process mock Kafka cluster, for fault-injection tests only: it speaks the
/// Kafka protocol on loopback and can take brokers down, slow them, or make requests fail.
/// Ordinary integration tests run against a real broker process instead.
///
/// ```swift
/// let cluster = try MockKafkaCluster(brokers: 1)
/// try cluster.createTopic("faults", partitions: 2)
/// let config = KafkaConfiguration(brokers: cluster.bootstrapServers)
/// cluster.setBrokerDown(1)   // clients see the connection drop ...
/// cluster.setBrokerUp(1)     // ... and recover
/// ```
public final class MockKafkaCluster {
    /// The client handle hosting the cluster; destroying it destroys the cluster.
    private let host: OpaquePointer
    private let cluster: OpaquePointer
    /// The address list to give clients as `bootstrap.servers`.
    public let bootstrapServers: String

    public init(brokers: Int) throws(MockKafkaClusterError) {
        let conf = rd_kafka_conf_new()
        var errstr = [CChar](repeating: 0, count: 512)
        rd_kafka_conf_set(conf, "log_level", "3", &errstr, errstr.count)
        guard let host = rd_kafka_new(RD_KAFKA_PRODUCER, conf, &errstr, errstr.count) else {
            rd_kafka_conf_destroy(conf)
            throw .cannotStart(errstr.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
        }
        guard let cluster = rd_kafka_mock_cluster_new(host, Int32(brokers)) else {
            rd_kafka_destroy(host)
            throw .cannotStart("rd_kafka_mock_cluster_new returned nothing")
        }
        self.host = host
        self.cluster = cluster
        bootstrapServers = String(cString: rd_kafka_mock_cluster_bootstraps(cluster))
    }

    deinit {
        rd_kafka_mock_cluster_destroy(cluster)
        rd_kafka_destroy(host)
    }

    public func createTopic(_ name: String, partitions: Int, replicationFactor: Int = 1) throws(MockKafkaClusterError) {
        let err = rd_kafka_mock_topic_create(cluster, name, Int32(partitions), Int32(replicationFactor))
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw .failed("creating topic \(name): \(String(cString: rd_kafka_err2str(err)))") }
    }

    /// Takes broker `id` (1-based) down: its connections drop and it refuses new ones.
    public func setBrokerDown(_ id: Int32) { rd_kafka_mock_broker_set_down(cluster, id) }

    /// Brings broker `id` back.
    public func setBrokerUp(_ id: Int32) { rd_kafka_mock_broker_set_up(cluster, id) }
}

/// Why the mock cluster could not do what a test asked.
public enum MockKafkaClusterError: Error, CustomStringConvertible {
    case cannotStart(String)
    case failed(String)

    public var description: String {
        switch self {
        case .cannotStart(let why): "the mock Kafka cluster could not start: \(why)"
        case .failed(let why): "the mock Kafka cluster refused: \(why)"
        }
    }
}
