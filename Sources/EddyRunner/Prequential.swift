import EddyDrift
import EddyLearn
import EddyPipeline
import Foundation

/// The per-event core every way of running a pipeline shares (`eddy run`, `eddy evaluate`):
/// decode the event, predict with the live model, score, feed the drift detector what the
/// pipeline watches, then learn. Prequential: every event is tested before it is trained on.
///
/// ```swift
/// var core = Prequential(spec: spec, learner: try spec.makeLearner())
/// switch core.process(bytes) {
/// case .learned(let drift): if drift.drift { print("drift at", core.state.eventsSeen) }
/// case .refused(let error): print("not learned:", error)
/// }
/// ```
struct Prequential<L: PersistentLearner> {
    /// What one event did.
    enum Outcome {
        /// Learned from; says whether the detector signalled on it.
        case learned(DriftSignal)
        /// Not learned from: the event is bad.
        case refused(DecodeError)
    }

    /// The detector's signal after an event: a drift, or the start of a warning zone.
    struct DriftSignal {
        var drift: Bool
        var warningStarted: Bool
    }

    let spec: PipelineSpec
    var state: PipelineState<L>
    private var event = DecodedEvent()
    private var output: [Double]
    private var inWarning = false

    init(spec: PipelineSpec, state: PipelineState<L>) {
        self.spec = spec
        self.state = state
        output = [Double](repeating: 0, count: spec.learningTask.outputCount)
    }

    mutating func process(_ bytes: UnsafeRawBufferPointer) -> Outcome {
        do {
            try state.decoder.decode(bytes, into: &event)
        } catch {
            return .refused(error)
        }
        state.learner.predict(event.features, into: &output)
        state.rolling.update(truth: event.label, output: output)
        state.cumulative.update(truth: event.label, output: output)
        state.detector.update(watchedValue())
        let warning = state.detector.warningDetected
        let signal = DriftSignal(drift: state.detector.driftDetected, warningStarted: warning && !inWarning)
        inWarning = warning
        state.decoder.learnScaling(&event)
        state.learner.learn(event.features, label: event.label)
        state.eventsSeen += 1
        return .learned(signal)
    }

    /// What the detector watches for this event: 0/1 errors (absolute error for a regressor),
    /// or the event's loss (log-loss of the true class, squared error).
    private func watchedValue() -> Double {
        let truth = event.label
        switch (spec.learningTask, spec.drift.watch) {
        case (.regression, .error): return abs(output[0] - truth)
        case (.regression, .loss): return (output[0] - truth) * (output[0] - truth)
        case (_, .error):
            var best = 0
            for k in 1..<output.count where output[k] > output[best] { best = k }
            return Double(best) == truth ? 0 : 1
        case (_, .loss): return -log(max(output[Int(truth)], 1e-15))
        }
    }
}
