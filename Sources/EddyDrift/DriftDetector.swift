import EddyCodec

/// The one protocol every drift detector follows (River's `update` / `drift_detected`).
/// Detectors for real values (ADWIN, Page-Hinkley, KSWIN) and for binary error streams
/// (DDM, EDDM, HDDM_A, HDDM_W; fed 1 for an error, 0 for a hit) share it.
///
/// ```swift
/// var detector = try PageHinkley()
/// for (i, value) in stream.enumerated() {
///     detector.update(value)
///     if detector.driftDetected { print("drift \(i)") }
/// }
/// let blob = detector.serialized()                  // checkpoint ...
/// var restored = try PageHinkley(state: blob)      // ... and carry on where it stopped
/// ```
public protocol DriftDetector: Sendable {
    /// The detector's name, as `eddy detect --detector` and its state blob know it (`adwin`, ...).
    static var kind: String { get }
    /// Feeds one value; afterwards `driftDetected` and `warningDetected` describe this step.
    mutating func update(_ value: Double)
    /// True when the last update signalled a drift.
    var driftDetected: Bool { get }
    /// True when the last update signalled a warning (always false for detectors without one).
    var warningDetected: Bool { get }
    /// Forgets everything seen, keeping the parameters.
    mutating func reset()
    /// The detector's parameters and full state as an Eddy state blob (see `StateWriter`).
    func serialized() -> [UInt8]
    /// Restores a detector from `serialized()`; corrupted, truncated or foreign blobs are refused.
    init(state: [UInt8]) throws(StateError)
}
