import ArgumentParser
import Logging

/// The `--log-level` option of the long-running commands, and the logging it sets up: lines on
/// standard error at that level and above.
///
/// ```swift
/// @OptionGroup var log: LogOptions
/// func run() throws { log.bootstrap() }
/// ```
struct LogOptions: ParsableArguments {
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "info"

    func validate() throws {
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level '\(logLevel)' is not one of trace, debug, info, notice, warning, error, critical")
        }
    }

    /// Sends every logger's lines to standard error at the chosen level.
    func bootstrap() {
        let level = Logger.Level(rawValue: logLevel)!
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}
