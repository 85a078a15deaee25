import EddyCodec
import EddyDrift
import EddyLearn
import EddyPipeline

/// Everything a pipeline has learned, in one value: the learner (with its optimizer), the
/// drift detector, the decoder's running scaler, the metrics, and the event count. A model
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
    }

    init(spec: PipelineSpec, restoring blob: [UInt8]) throws(StateError) {
        var reader = try StateReader(blob, kind: Self.kind, supported: 1...1)
        let learnerBlob = try reader.readBlob()
        let learner: L
        do { learner = try L(stateBlob: learnerBlob) } catch { throw error }
        self.init(spec: spec, learner: learner)
        detector = try DetectorCatalog.restore(try reader.readBlob())
        try decoder.restoreState(try reader.readBlob())
        try rolling.restore(try reader.readBlob())
        try cumulative.restore(try reader.readBlob())
        eventsSeen = try reader.readInt()
        try reader.finish()
    }

    func stateBlob() -> [UInt8] {
        var writer = StateWriter(kind: Self.kind, version: 1)
        writer.write(blob: learner.stateBlob())
        writer.write(blob: detector.serialized())
        writer.write(blob: decoder.stateBlob())
        writer.write(blob: rolling.serialized())
        writer.write(blob: cumulative.serialized())
        writer.write(eventsSeen)
        return writer.finish()
    }

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
        var reader = try StateReader(state, kind: pipelineStateKind, supported: 1...1)
        return try spec.restoreLearner(from: try reader.readBlob())
    }
}
