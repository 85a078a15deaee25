import EddyCodec
import EddyDrift
import EddyLearn
import EddyPipeline

/// Everything a pipeline has learned, in one value: the learner (with its optimizer), the
/// drift detector, the decoder's running scaler, the metrics, the adaptation (background
/// learner, boost) and rollback-guard counters, and the event count. A model
/// version in the checkpoint store holds `stateBlob()`; restoring it and feeding the same
/// events gives bitwise the same state as never having stopped.
///
/// ```swift
/// var state = try PipelineState(spec: spec)
/// let blob = state.stateBlob()
/// let again = try PipelineState(spec: spec, restoring: blob)
/// ```
struct PipelineState<L: PersistentLearner> {
    var learner: L
    var detector: any DriftDetector
    var decoder: EventDecoder
    var rolling: MetricSuite
    var cumulative: MetricSuite
    var eventsSeen: Int
    var adaptation: DriftAdaptation<L>
    var rollbackGuard: RollbackGuard
    /// Whether the detector was in its warning zone after the last event.
    var inWarning = false
    /// Events since the rollback guard last judged a window.
    var sinceWindow = 0

    static var kind: String { pipelineStateKind }

    /// A fresh state. `cumulativeAUC` keeps every score for an exact ROC AUC over all events:
    /// for a file, not for an endless stream.
    init(spec: PipelineSpec, learner: L, cumulativeAUC: Bool = false) {
        self.learner = learner
        detector = spec.makeDetector()
        decoder = spec.makeDecoder()
        rolling = MetricSuite(task: spec.learningTask, window: spec.metrics.window)
        cumulative = MetricSuite(task: spec.learningTask, cumulativeAUC: cumulativeAUC)
        eventsSeen = 0
        adaptation = DriftAdaptation(spec: spec, fresh: learner)
        rollbackGuard = RollbackGuard(settings: spec.rollback)
    }

    /// Version 1 blobs (before adaptation state) restore with a fresh adaptation and guard.
    static var supportedVersions: ClosedRange<UInt16> { 1...2 }

    /// Restores a state; `fresh` is a new learner of the pipeline (for resets and background
    /// learners).
    init(spec: PipelineSpec, fresh: L, restoring blob: [UInt8]) throws(StateError) {
        var reader = try StateReader(blob, kind: Self.kind, supported: Self.supportedVersions)
        self.init(spec: spec, learner: fresh)
        learner = try Self.learner(try reader.readBlob())
        detector = try DetectorCatalog.restore(try reader.readBlob())
        try decoder.restoreState(try reader.readBlob())
        try rolling.restore(try reader.readBlob())
        try cumulative.restore(try reader.readBlob())
        eventsSeen = try reader.readInt()
        if reader.version >= 2 {
            try adaptation.read(from: &reader, live: &learner)
            try rollbackGuard.read(from: &reader)
            inWarning = try reader.readBool()
            sinceWindow = try reader.readInt()
            guard sinceWindow >= 0, sinceWindow < spec.metrics.window else { throw .invalid("rollback window count \(sinceWindow) out of range") }
        }
        try reader.finish()
    }

    func stateBlob() -> [UInt8] {
        var writer = StateWriter(kind: Self.kind, version: 2)
        writer.write(blob: learner.stateBlob())
        writer.write(blob: detector.serialized())
        writer.write(blob: decoder.stateBlob())
        writer.write(blob: rolling.serialized())
        writer.write(blob: cumulative.serialized())
        writer.write(eventsSeen)
        adaptation.write(to: &writer)
        rollbackGuard.write(to: &writer)
        writer.write(inWarning)
        writer.write(sinceWindow)
        return writer.finish()
    }

    /// Goes back to the model of an earlier version (`blob` is its whole state): its learner and
    /// scaler come back; the detector, background learner and boost start afresh; the event
    /// count and the metrics go on (the guard's next judgement, a full window later, is of the
    /// restored model alone).
    mutating func rollBack(to version: Int64, blob: [UInt8], spec: PipelineSpec) throws(StateError) {
        var reader = try StateReader(blob, kind: Self.kind, supported: Self.supportedVersions)
        let restored = try Self.learner(try reader.readBlob())
        _ = try reader.readBlob()
        var decoder = self.decoder
        try decoder.restoreState(try reader.readBlob())
        learner = restored
        self.decoder = decoder
        detector = spec.makeDetector()
        adaptation.restart(live: &learner)
        rollbackGuard.rolledBack(to: version)
        inWarning = false
        sinceWindow = 0
    }

    private static func learner(_ blob: [UInt8]) throws(StateError) -> L {
        do { return try L(stateBlob: blob) } catch { throw error }
    }

    /// Whether the learner's weights and the scaler's statistics are all finite numbers: a model
    /// that may be saved.
    var isFinite: Bool { learner.hasFiniteParameters && decoder.hasFiniteState }

    /// The rolling and cumulative metrics by name (`rolling_accuracy`, `accuracy`, ...).
    var metrics: [String: Double] {
        var all: [String: Double] = [:]
        for m in cumulative.values { all[m.name] = m.value }
        for m in rolling.values { all["rolling_" + m.name] = m.value }
        return all
    }
}

/// The kind written into a pipeline's state blobs.
let pipelineStateKind = "eddy_pipeline"

/// Reads parts of a model version's state blob without running the pipeline.
///
/// ```swift
/// let version = try store.version(12)!
/// let learner = try PipelineStateBlob.learner(from: version.state, spec: spec)
/// ```
public enum PipelineStateBlob {
    /// The learner (with its optimizer) a version's state holds.
    public static func learner(from state: [UInt8], spec: PipelineSpec) throws -> any PersistentLearner {
        var reader = try StateReader(state, kind: pipelineStateKind, supported: 1...2)
        return try spec.restoreLearner(from: try reader.readBlob())
    }
}
