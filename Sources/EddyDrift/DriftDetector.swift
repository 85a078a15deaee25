/// The one protocol every drift detector follows (River's `update` / `drift_detected`).
/// Detectors for real values (ADWIN, Page-Hinkley, KSWIN) and for binary error streams
/// (DDM, EDDM, HDDM_A, HDDM_W; fed 1 for an error, 0 for a hit) share it.
///
/// ```swift
/// var detector = PageHinkley()
/// for (i, value) in stream.enumerated() {
///     detector.update(value)
///     if detector.driftDetected { print("drift \(i)") }
/// }
/// ```
public protocol DriftDetector: Sendable {
    /// Feeds one value; afterwards `driftDetected` and `warningDetected` describe this step.
    mutating func update(_ value: Double)
    /// True when the last update signalled a drift.
    var driftDetected: Bool { get }
    /// True when the last update signalled a warning (always false for detectors without one).
    var warningDetected: Bool { get }
    /// Forgets everything seen, keeping the parameters.
    mutating func reset()
}
