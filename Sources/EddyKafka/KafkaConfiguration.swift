import CRdKafka

/// librdkafka properties by their own names (`bootstrap.servers`, `group.id`,
/// `security.protocol`, `sasl.password`, ...). Every property librdkafka knows passes
/// through unchanged; an unknown name or a bad value is refused when a client is created,
/// with librdkafka's own explanation. Secret values are never printed: `description`
/// shows them as `[redacted]`.
///
/// ```swift
/// var config = KafkaConfiguration(["bootstrap.servers": "127.0.0.1:19092"])
/// config["group.id"] = "eddy-demo"
/// config["sasl.password"] = secret
/// print(config) // bootstrap.servers=127.0.0.1:19092 group.id=eddy-demo sasl.password=[redacted]
/// ```
public struct KafkaConfiguration: Sendable, Equatable, CustomStringConvertible {
    /// The properties, by librdkafka name.
    public private(set) var properties: [String: String]

    public init(_ properties: [String: String] = [:]) {
        self.properties = properties
    }

    /// The broker list, e.g. `127.0.0.1:19092`.
    public init(brokers: String) {
        self.init(["bootstrap.servers": brokers])
    }

    public subscript(name: String) -> String? {
        get { properties[name] }
        set { properties[name] = newValue }
    }

    /// A copy with `defaults` filled in where this configuration sets nothing.
    public func withDefaults(_ defaults: [String: String]) -> KafkaConfiguration {
        KafkaConfiguration(properties.merging(defaults) { mine, _ in mine })
    }

    /// A copy without the consumer-only properties, for a producer built from a consumer's
    /// configuration (a pipeline's dead-letter producer): librdkafka would warn at start-up
    /// about each one it ignores. Connection and security properties stay.
    ///
    ///     let producer = try KafkaProducer(configuration: consumerConfig.forProducer())
    public func forProducer() -> KafkaConfiguration {
        KafkaConfiguration(properties.filter { !Self.consumerOnly.contains($0.key) })
    }

    /// The properties librdkafka 2.8's CONFIGURATION.md gives the consumer scope ("C") alone.
    static let consumerOnly: Set<String> = [
        "group.id", "group.instance.id", "partition.assignment.strategy", "session.timeout.ms",
        "heartbeat.interval.ms", "group.protocol.type", "group.protocol", "group.remote.assignor",
        "coordinator.query.interval.ms", "max.poll.interval.ms", "enable.auto.commit", "auto.commit.enable",
        "auto.commit.interval.ms", "enable.auto.offset.store", "queued.min.messages", "queued.max.messages.kbytes",
        "fetch.wait.max.ms", "fetch.queue.backoff.ms", "fetch.message.max.bytes", "max.partition.fetch.bytes",
        "fetch.max.bytes", "fetch.min.bytes", "fetch.error.backoff.ms", "isolation.level", "consume_cb",
        "rebalance_cb", "offset_commit_cb", "enable.partition.eof", "check.crcs", "auto.offset.reset",
        "offset.store.path", "offset.store.sync.interval.ms", "offset.store.method", "consume.callback.max.messages",
    ]

    /// True for properties whose values are secrets: passwords, keys, tokens, JAAS and OAuth settings.
    public static func isSecret(_ name: String) -> Bool {
        let lowered = name.lowercased()
        return ["password", "secret", "jaas", "oauthbearer.config", "key.pem", "keystore", "token", "credentials"]
            .contains { lowered.contains($0) }
            || lowered == "ssl.key.location"
    }

    /// The properties as `name=value`, sorted by name, secrets shown as `[redacted]`.
    public var description: String {
        properties.keys.sorted().map { name in
            "\(name)=\(Self.isSecret(name) ? "[redacted]" : properties[name]!)"
        }.joined(separator: " ")
    }

    /// Builds a librdkafka configuration object; the caller owns it (it passes to `rd_kafka_new`).
    func makeNative() throws(KafkaError) -> OpaquePointer {
        let conf = rd_kafka_conf_new()!
        var errstr = [CChar](repeating: 0, count: 512)
        for name in properties.keys.sorted() {
            let result = rd_kafka_conf_set(conf, name, properties[name]!, &errstr, errstr.count)
            if result != RD_KAFKA_CONF_OK {
                rd_kafka_conf_destroy(conf)
                let shown = Self.isSecret(name) ? "[redacted]" : properties[name]!
                throw KafkaError(
                    name: result == RD_KAFKA_CONF_UNKNOWN ? "EDDY_UNKNOWN_PROPERTY" : "EDDY_INVALID_PROPERTY",
                    message: "Kafka property \(name)=\(shown) refused: \(String(errorBuffer: errstr))"
                )
            }
        }
        return conf
    }
}
