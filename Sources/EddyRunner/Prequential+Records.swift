import EddyStore
import Foundation

/// The rows a driver of the per-event core writes with its next checkpoint.
extension Prequential {
    /// The rolling and cumulative metrics as `metrics` rows, now.
    func metricPoints(at now: Date) -> [MetricPoint] {
        state.rolling.values.map {
            MetricPoint(recordedAt: now, eventsSeen: state.eventsSeen, window: "rolling", name: $0.name, value: $0.value)
        } + state.cumulative.values.map {
            MetricPoint(recordedAt: now, eventsSeen: state.eventsSeen, window: "cumulative", name: $0.name, value: $0.value)
        }
    }

    /// The `drift_events` row of a drift or of a warning's start, with what was decided.
    func driftRecord(_ signal: Signal, at now: Date) -> DriftEventRecord {
        let decision = signal.decision?.description ?? (signal.drift ? "recorded" : "noted")
        return DriftEventRecord(detectedAt: now, eventsSeen: state.eventsSeen, detector: spec.drift.detector,
                                kind: signal.drift ? "drift" : "warning", decision: decision)
    }
}
