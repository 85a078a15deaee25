import Foundation
import Logging

/// A `Logger` whose messages (at every level, with librdkafka's facility) are kept for a test to read.
///
///     let log = LogLines()
///     _ = try KafkaProducer(configuration: config, logger: log.logger)
///     #expect(log.lines.isEmpty)
final class LogLines: @unchecked Sendable {
    private let lock = NSLock()
    private var kept: [String] = []

    var lines: [String] { lock.withLock { kept } }

    var logger: Logger {
        var logger = Logger(label: "test.lines") { _ in Handler(sink: self) }
        logger.logLevel = .trace
        return logger
    }

    fileprivate func append(_ line: String) { lock.withLock { kept.append(line) } }

    private struct Handler: LogHandler {
        let sink: LogLines
        var logLevel: Logger.Level = .trace
        var metadata: Logger.Metadata = [:]
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            let facility = event.metadata?["rdkafka"].map { " rdkafka=\($0)" } ?? ""
            sink.append("\(event.level)\(facility) \(event.message)")
        }
    }
}
