import EddyDrift
import EddyLearn
import EddyPipeline
import Foundation

/// The per-event core every way of running a pipeline shares (`eddy run`, `eddy replay`,
/// `eddy evaluate --pipeline`): decode the event, predict with the live model, score, feed the
/// drift detector what the pipeline watches, adapt (`DriftAdaptation`), then learn, and let the
/// rollback guard judge each finished metrics window. Prequential: every event is tested
/// before it is trained on.
///
/// The core decides a rollback but does not do it: versions live with the driver, which calls
/// `rollBack(to:blob:)` with the target's state.
///
/// ```swift
/// var core = Prequential(spec: spec, state: PipelineState(spec: spec, learner: try spec.makeLearner()))
/// switch core.process(bytes) {
/// case .learned(let signal): if signal.drift { print("drift at", core.state.eventsSeen, signal.decision!) }
/// case .refused(let error): print("not learned:", error)
/// }
/// ```
struct Prequential<L: PersistentLearner> {
    /// What one event did.
    enum Outcome {
        /// Learned from; says what the detector and the guard made of it.
        case learned(Signal)
        /// Not learned from: the event is bad.
        case refused(DecodeError)
    }

    /// The detector's signal after an event, what adaptation did about it, and whether the
    /// rollback guard tripped.
    struct Signal {
        var drift = false
        var warningStarted = false
        var decision: AdaptationDecision?
        /// Why the live model must be rolled back, when it must.
        var rollback: String?
    }

    let spec: PipelineSpec
    var state: PipelineState<L>
    private var event = DecodedEvent()
    private var output: [Double]
    private var scratch: [Double]
    private let watchesNonFinite: Bool
    private let guardMetric: String

    init(spec: PipelineSpec, state: PipelineState<L>) {
        self.spec = spec
        self.state = state
        output = [Double](repeating: 0, count: spec.learningTask.outputCount)
        scratch = output
        watchesNonFinite = spec.rollback.enabled && spec.rollback.onNonFinite
        guardMetric = spec.rollback.metric
    }

    mutating func process(_ bytes: UnsafeRawBufferPointer) -> Outcome {
        var current = DecodedEvent()
        swap(&current, &event)
        defer { swap(&current, &event) }
        do {
            try state.decoder.parse(bytes, into: &current)
        } catch {
            return .refused(error)
        }
        return .learned(process(parsed: &current))
    }

    /// The rest of `process(_:)` for an event already parsed (by `EventDecoder.parse` on a
    /// copy of this pipeline's decoder, possibly on another thread): scale, predict, score,
    /// detect, adapt, learn, judge. Events must come in stream order.
    mutating func process(parsed event: inout DecodedEvent) -> Signal {
        state.decoder.scaleForPredicting(&event)
        state.learner.predict(event.features, into: &output)
        let scored = ScoredEvent(truth: event.label, output: output, task: spec.learningTask)
        state.rolling.update(scored)
        state.cumulative.update(scored)
        let watched = watchedValue(output, truth: event.label)
        state.detector.update(watched)
        var signal = Signal()
        let warning = state.detector.warningDetected
        signal.drift = state.detector.driftDetected
        let twinWarns = state.adaptation.track(watched)
        signal.warningStarted = (warning && !state.inWarning) || twinWarns
        state.inWarning = warning
        if state.adaptation.background != nil {
            let truth = event.label, task = spec.learningTask
            let liveError = Self.errorValue(output, truth: truth, task: task)
            state.adaptation.scoreBackground(event.features, liveError: liveError, output: &scratch) {
                Self.errorValue($0, truth: truth, task: task)
            }
        }
        if signal.drift || signal.warningStarted {
            signal.decision = state.adaptation.decide(drift: signal.drift, warningStarted: signal.warningStarted, live: &state.learner)
            if signal.drift, signal.decision == .promoted || signal.decision == .reset { state.detector.reset() }
        }
        state.decoder.learnScaling(&event)
        let refusedBefore = state.learner.refusedEvents
        state.learner.learn(event.features, label: event.label)
        state.adaptation.learned(event.features, label: event.label, live: &state.learner)
        state.eventsSeen += 1
        if watchesNonFinite && (state.learner.refusedEvents != refusedBefore || !(output[0] * 0).isFinite) {
            signal.rollback = "the features, loss or gradient became NaN or infinite at event \(state.eventsSeen) (the learner refused it)"
        }
        state.sinceWindow += 1
        if state.sinceWindow == spec.metrics.window {
            state.sinceWindow = 0
            signal.rollback = signal.rollback ?? judgeWindow()
        }
        return signal
    }

    /// The guard's judgement at the end of a metrics window: non-finite weights, or too many
    /// windows below the best recent version.
    private mutating func judgeWindow() -> String? {
        guard spec.rollback.enabled else { return nil }
        if watchesNonFinite && !state.isFinite {
            return "a weight or the scaler's statistics became NaN or infinite by event \(state.eventsSeen)"
        }
        let metric = state.rolling.value(named: guardMetric) ?? .nan
        return state.rollbackGuard.windowEnded(metric: metric) ? state.rollbackGuard.reason(metric: metric) : nil
    }

    /// Goes back to an earlier version's model; see `PipelineState.rollBack(to:blob:spec:)`.
    mutating func rollBack(to version: Int64, blob: [UInt8]) throws {
        try state.rollBack(to: version, blob: blob, spec: spec)
    }

    /// What the detector watches for this event: 0/1 errors (absolute error for a regressor),
    /// or the event's loss (log-loss of the true class, squared error).
    private func watchedValue(_ output: [Double], truth: Double) -> Double {
        switch (spec.learningTask, spec.drift.watch) {
        case (.regression, .loss): return (output[0] - truth) * (output[0] - truth)
        case (_, .error): return Self.errorValue(output, truth: truth, task: spec.learningTask)
        case (_, .loss): return -log(max(output[Int(truth)], 1e-15))
        }
    }

    /// The event's error: 1/0 for a wrong/right class, the absolute error for a regressor.
    private static func errorValue(_ output: [Double], truth: Double, task: LearningTask) -> Double {
        if case .regression = task { return abs(output[0] - truth) }
        var best = 0
        for k in 1..<output.count where output[k] > output[best] { best = k }
        return Double(best) == truth ? 0 : 1
    }
}
