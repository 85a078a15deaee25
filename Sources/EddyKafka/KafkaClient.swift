import CRdKafka
import Logging
import Synchronization

/// Owns one librdkafka handle (`rd_kafka_t`) and the callbacks attached to it. The consumer,
/// producer and admin client each hold one; the handle is destroyed in `deinit`, after which
/// no callback can fire, so the context the callbacks point at outlives them.
final class KafkaClient {
    /// The native handle; valid for the lifetime of this object.
    let handle: OpaquePointer
    let context: KafkaClientContext
    /// The configuration it was made with (for error messages; print only via `description`).
    let configuration: KafkaConfiguration

    init(kind: rd_kafka_type_t, configuration: KafkaConfiguration, context: KafkaClientContext) throws(KafkaError) {
        let conf = try configuration.makeNative()
        // Ownership: the context is retained by `self` for as long as the handle lives;
        // librdkafka only keeps the unretained pointer.
        rd_kafka_conf_set_opaque(conf, Unmanaged.passUnretained(context).toOpaque())
        rd_kafka_conf_set_log_cb(conf, kafkaLogCallback)
        rd_kafka_conf_set_error_cb(conf, kafkaErrorCallback)
        if kind == RD_KAFKA_PRODUCER {
            rd_kafka_conf_set_dr_msg_cb(conf, kafkaDeliveryCallback)
        }
        if context.rebalance != nil {
            rd_kafka_conf_set_rebalance_cb(conf, kafkaRebalanceCallback)
        }
        var errstr = [CChar](repeating: 0, count: 512)
        // rd_kafka_new takes ownership of conf on success only.
        guard let handle = rd_kafka_new(kind, conf, &errstr, errstr.count) else {
            rd_kafka_conf_destroy(conf)
            throw KafkaError(name: "EDDY_CLIENT_CREATE", message: "could not create the Kafka client: \(String(errorBuffer: errstr))")
        }
        self.handle = handle
        self.context = context
        self.configuration = configuration
    }

    deinit {
        rd_kafka_destroy(handle)
    }

    /// The brokers this client was pointed at, for messages.
    var brokers: String { configuration["bootstrap.servers"] ?? configuration["metadata.broker.list"] ?? "(none set)" }

    /// Fails with a clear error unless a broker answers a metadata request within `timeoutMs`.
    /// librdkafka itself retries an unreachable address forever; this bounds the wait.
    func awaitBrokers(timeoutMs: Int32) throws(KafkaError) {
        var metadata: UnsafePointer<rd_kafka_metadata>?
        let err = rd_kafka_metadata(handle, 0, nil, &metadata, timeoutMs)
        if let metadata { rd_kafka_metadata_destroy(metadata) }
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            let last = context.lastBrokerError.map { " (last broker error: \($0))" } ?? ""
            throw KafkaError(
                code: err.rawValue, name: String(cString: rd_kafka_err2name(err)),
                message: "no Kafka broker answered at \(brokers) within \(timeoutMs) ms\(last); "
                    + "check bootstrap.servers and that the broker is running",
                isFatal: false, isRetriable: true)
        }
    }

    /// Metadata for `topic` (partition count), or nil when the broker does not know it.
    func partitionCount(topic: String, timeoutMs: Int32) throws(KafkaError) -> Int? {
        let rkt = rd_kafka_topic_new(handle, topic, nil)
        defer { rd_kafka_topic_destroy(rkt) }
        var metadata: UnsafePointer<rd_kafka_metadata>?
        let err = rd_kafka_metadata(handle, 0, rkt, &metadata, timeoutMs)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else {
            throw KafkaError(err, "describing topic \(topic)")
        }
        defer { rd_kafka_metadata_destroy(metadata) }
        guard metadata.pointee.topic_cnt > 0 else { return nil }
        let entry = metadata.pointee.topics[0]
        if entry.err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART { return nil }
        guard entry.err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(entry.err, "describing topic \(topic)") }
        return Int(entry.partition_cnt)
    }
}

/// What the C callbacks reach: the logger, the error record, and (per client kind) the
/// rebalance listener or the delivery counters. Callbacks run on librdkafka's threads
/// (log, error) or inside `poll` on the polling thread (rebalance, delivery).
final class KafkaClientContext: @unchecked Sendable {
    let logger: Logger
    /// Set for group consumers; called from within `poll`.
    var rebalance: ((OpaquePointer, rd_kafka_resp_err_t, UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) -> Void)?
    /// Called for every delivery report, from within `poll`/`flush` on the producer's thread.
    var delivery: ((UnsafePointer<rd_kafka_message_t>) -> Void)?

    private let errors = Mutex<(last: KafkaError?, fatal: KafkaError?, pending: [KafkaError])>((nil, nil, []))
    /// How many reported errors are kept for `takeErrors` before the oldest are dropped.
    static let pendingLimit = 100

    init(logger: Logger) { self.logger = logger }

    /// The most recent error librdkafka reported through its error callback.
    var lastBrokerError: KafkaError? { errors.withLock { $0.last } }
    /// Set once librdkafka reports a fatal error; the client must then be recreated.
    var fatalError: KafkaError? { errors.withLock { $0.fatal } }

    func record(_ error: KafkaError) {
        errors.withLock { state in
            state.last = error
            if error.isFatal && state.fatal == nil { state.fatal = error }
            if state.pending.count == Self.pendingLimit { state.pending.removeFirst() }
            state.pending.append(error)
        }
    }

    /// The errors reported since the last call (the most recent `pendingLimit`), oldest first.
    func takeErrors() -> [KafkaError] {
        errors.withLock { state in
            defer { state.pending = [] }
            return state.pending
        }
    }
}

private func context(of rk: OpaquePointer?) -> KafkaClientContext? {
    guard let rk, let opaque = rd_kafka_opaque(rk) else { return nil }
    return Unmanaged<KafkaClientContext>.fromOpaque(opaque).takeUnretainedValue()
}

/// librdkafka's log lines go to the project's logger, at the matching level (syslog levels).
private let kafkaLogCallback: @convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?, UnsafePointer<CChar>?) -> Void = { rk, level, facility, message in
    guard let context = context(of: rk) else { return }
    let swiftLevel: Logger.Level = switch level {
    case ...3: .error
    case 4: .warning
    case 5, 6: .info
    default: .debug
    }
    context.logger.log(level: swiftLevel, "\(message.map { String(cString: $0) } ?? "")",
                       metadata: ["rdkafka": "\(facility.map { String(cString: $0) } ?? "")"])
}

/// Broker and client errors: recorded for the owner, logged, never thrown from this thread.
private let kafkaErrorCallback: @convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?, UnsafeMutableRawPointer?) -> Void = { rk, code, reason, _ in
    guard let rk, let context = context(of: rk) else { return }
    var err = rd_kafka_resp_err_t(rawValue: code)
    var text = reason.map { String(cString: $0) } ?? ""
    if err == RD_KAFKA_RESP_ERR__FATAL {
        var buffer = [CChar](repeating: 0, count: 512)
        err = rd_kafka_fatal_error(rk, &buffer, buffer.count)
        text = String(errorBuffer: buffer)
    }
    var error = KafkaError(err, text)
    if code == RD_KAFKA_RESP_ERR__FATAL.rawValue {
        error = KafkaError(code: error.code, name: error.name, message: error.message, isFatal: true, isRetriable: false)
    }
    context.record(error)
    context.logger.log(level: error.isFatal ? .error : .warning, "\(error)")
}

private let kafkaRebalanceCallback: @convention(c) (OpaquePointer?, rd_kafka_resp_err_t, UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?, UnsafeMutableRawPointer?) -> Void = { rk, err, partitions, _ in
    guard let rk, let partitions, let context = context(of: rk) else { return }
    context.rebalance?(rk, err, partitions)
}

private let kafkaDeliveryCallback: @convention(c) (OpaquePointer?, UnsafePointer<rd_kafka_message_t>?, UnsafeMutableRawPointer?) -> Void = { rk, message, _ in
    guard let message, let context = context(of: rk) else { return }
    context.delivery?(message)
}
