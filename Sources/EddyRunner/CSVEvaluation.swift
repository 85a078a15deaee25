import EddyDrift
import EddyLearn
import EddyPipeline
import Foundation

/// Runs a pipeline's learner, scaler, detector, adaptation and rollback guard over a CSV file
/// prequentially, through the same per-event code as `eddy run` but with no Kafka and no
/// database: how users tune a policy before deploying it. Versions are kept in memory at the
/// pipeline's `checkpoint.every_events` (default 10,000) and at each promotion and rollback, so
/// the rollback guard has the same versions to go back to as a run would.
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
        /// Background learners promoted at a drift.
        public var promotions: Int
        /// Rollbacks the guard did.
        public var rollbacks: Int
        /// Drifts, adaptations and rollbacks in order, one line each ("event 1234: drift: reset ...").
        public var timeline: [String] = []
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
        var report = Report(events: 0, refused: 0, refusals: [], drifts: 0, promotions: 0, rollbacks: 0, metrics: [])
        var versions = InMemoryVersions()
        let every = spec.checkpoint.everyEvents ?? 10_000
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
                if signal.drift || signal.decision != nil {
                    report.timeline.append("event \(core.state.eventsSeen): \(signal.drift ? "drift" : "warning"): \(signal.decision?.description ?? "recorded")")
                }
                if signal.decision == .promoted {
                    report.promotions += 1
                    versions.save(&core)
                }
                if let reason = signal.rollback, let target = core.state.rollbackGuard.target(), let blob = versions.blobs[target] {
                    try core.rollBack(to: target, blob: blob)
                    report.rollbacks += 1
                    report.timeline.append("event \(core.state.eventsSeen): rollback to version \(target): \(reason)")
                    versions.save(&core)
                } else if core.state.eventsSeen % every == 0 {
                    versions.save(&core)
                }
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

/// The versions of an evaluation: state blobs by id, only as many as the rollback guard may
/// still go back to.
private struct InMemoryVersions {
    var blobs: [Int64: [UInt8]] = [:]
    var lastID: Int64 = 0

    mutating func save<L>(_ core: inout Prequential<L>) {
        lastID += 1
        blobs[lastID] = core.state.stateBlob()
        core.state.rollbackGuard.noteVersion(lastID, metric: core.state.metrics[core.state.rollbackGuard.savedMetricName])
        let kept = Set(core.state.rollbackGuard.recent.map(\.id))
        blobs = blobs.filter { kept.contains($0.key) }
    }
}
