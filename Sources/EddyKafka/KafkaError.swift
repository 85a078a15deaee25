import CRdKafka

/// A failure reported by librdkafka or by Eddy's Kafka layer, carrying librdkafka's error
/// name (for example `_TRANSPORT`, `UNKNOWN_TOPIC_OR_PART`), its text, and whether it is
/// fatal (the client must be recreated) or retriable (trying again may succeed).
///
/// ```swift
/// do { try consumer.commit(offsets) }
/// catch let error as KafkaError where error.isRetriable { logger.warning("\(error)") }
/// ```
public struct KafkaError: Error, Sendable, CustomStringConvertible {
    /// librdkafka's error code (`rd_kafka_resp_err_t`), or 0 for Eddy's own errors.
    public let code: Int32
    /// librdkafka's symbolic name for the code, e.g. `_TRANSPORT`; Eddy's own start with `EDDY_`.
    public let name: String
    /// What went wrong, and where useful, what to do about it.
    public let message: String
    /// The client cannot continue and must be closed and recreated.
    public let isFatal: Bool
    /// The same operation may succeed when tried again.
    public let isRetriable: Bool

    public init(code: Int32 = 0, name: String, message: String, isFatal: Bool = false, isRetriable: Bool = false) {
        self.code = code
        self.name = name
        self.message = message
        self.isFatal = isFatal
        self.isRetriable = isRetriable
    }

    /// An error from a bare librdkafka error code, with `context` saying what was attempted.
    init(_ err: rd_kafka_resp_err_t, _ context: String) {
        self.init(
            code: err.rawValue,
            name: String(cString: rd_kafka_err2name(err)),
            message: "\(context): \(String(cString: rd_kafka_err2str(err)))",
            isFatal: err == RD_KAFKA_RESP_ERR__FATAL,
            isRetriable: KafkaError.retriableCodes.contains(err)
        )
    }

    /// An error from a librdkafka error object (`rd_kafka_error_t`), which it destroys.
    init(consuming error: OpaquePointer, _ context: String) {
        defer { rd_kafka_error_destroy(error) }
        self.init(
            code: rd_kafka_error_code(error).rawValue,
            name: String(cString: rd_kafka_error_name(error)),
            message: "\(context): \(String(cString: rd_kafka_error_string(error)))",
            isFatal: rd_kafka_error_is_fatal(error) != 0,
            isRetriable: rd_kafka_error_is_retriable(error) != 0
        )
    }

    /// Codes that describe a passing condition: the broker is down, slow, or moving.
    static let retriableCodes: Set<rd_kafka_resp_err_t> = [
        RD_KAFKA_RESP_ERR__TRANSPORT, RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN,
        RD_KAFKA_RESP_ERR__TIMED_OUT, RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT,
        RD_KAFKA_RESP_ERR__WAIT_COORD, RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE,
        RD_KAFKA_RESP_ERR_NOT_COORDINATOR, RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS,
        RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE, RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
        RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS, RD_KAFKA_RESP_ERR__RESOLVE,
        RD_KAFKA_RESP_ERR_NETWORK_EXCEPTION,
    ]

    public var description: String {
        "\(name): \(message)\(isFatal ? " (fatal)" : isRetriable ? " (retriable)" : "")"
    }
}
