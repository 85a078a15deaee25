import EddyDrift
import EddyLearn
import EddyPipeline
import Foundation

/// Runs a pipeline's learner, scaler and detector over a CSV file prequentially, through the
/// same per-event code as `eddy run` but with no Kafka: how users try settings offline.
/// The file's first line names the columns; each further line is one event.
///
/// ```swift
/// let report = try CSVEvaluation.run(spec: spec, csvPath: "data.csv")
/// print(report.events, report.metrics)
/// ```
public enum CSVEvaluation {
    /// What an evaluation found.
    public struct Report: Sendable {
        public var events: Int
        /// Lines that could not be learned from, with their line numbers and reasons (the first 20).
        public var refused: Int
        public var refusals: [String]
        public var drifts: Int
        /// The final metrics over the whole file.
        public var metrics: [MetricValue]
    }

    /// Evaluates `spec` over the CSV file (its format is taken to be CSV with the file's header).
    public static func run(spec: PipelineSpec, csvPath: String) throws -> Report {
        guard let data = FileManager.default.contents(atPath: csvPath) else {
            throw CSVEvaluationError("cannot read \(csvPath)")
        }
        var lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        while let last = lines.last, last.allSatisfy({ $0 == UInt8(ascii: "\r") || $0 == UInt8(ascii: " ") }) { lines.removeLast() }
        guard let header = lines.first else { throw CSVEvaluationError("\(csvPath) is empty: expected a header line") }
        var spec = spec
        spec.format = .csv(columns: Self.columns(header), delimiter: UInt8(ascii: ","))
        return try evaluate(spec: spec, learner: try spec.makeLearner(), lines: lines.dropFirst())
    }

    /// The column names of a header line.
    static func columns(_ header: some Collection<UInt8>) -> [String] {
        String(decoding: header, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            .split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: CharacterSet(charactersIn: " \"")) }
    }

    private static func evaluate<L: PersistentLearner>(spec: PipelineSpec, learner: L, lines: ArraySlice<Data.SubSequence>) throws -> Report {
        var core = Prequential(spec: spec, state: PipelineState(spec: spec, learner: learner, cumulativeAUC: true))
        var report = Report(events: 0, refused: 0, refusals: [], drifts: 0, metrics: [])
        for (offset, line) in lines.enumerated() where !line.isEmpty {
            let outcome = line.withUnsafeBytes { bytes in
                var trimmed = bytes
                if trimmed.last == UInt8(ascii: "\r") { trimmed = UnsafeRawBufferPointer(rebasing: trimmed.dropLast()) }
                return core.process(trimmed)
            }
            switch outcome {
            case .refused(let error):
                report.refused += 1
                if report.refusals.count < 20 { report.refusals.append("line \(offset + 2): \(error)") }
            case .learned(let signal):
                report.events += 1
                if signal.drift { report.drifts += 1 }
            }
        }
        report.metrics = core.state.cumulative.values
        return report
    }
}

/// Why a CSV evaluation could not start.
public struct CSVEvaluationError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
