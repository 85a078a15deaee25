import EddyCodec
import EddyDrift
import EddyFeatures
import EddyLearn
import EddyPipeline

/// What a pipeline does when its detector signals, as the pipeline file's `adaptation` section
/// says. On a warning it starts a background learner that learns every event from then on and
/// is scored beside the live model on the same events. On a drift it promotes the background
/// learner when its error over the last metrics window of those events is lower than the live
/// model's by `promote_margin` (relative to the live error for a regressor); otherwise it applies
/// the policy to the live model: `reset` (a fresh model), `boost_lr` (the learning rate times
/// `boost_factor` for `boost_events` events) or `none`.
///
/// Two-sided detectors also signal when the error falls (a model learning, a stream getting
/// easier); such a signal is recorded but changes nothing. Whether the error rose is read from
/// two moving averages of the watched value, over about 100 and about 1,000 events.
///
/// Detectors without a warning zone (ADWIN, Page-Hinkley, KSWIN) get their warnings from a
/// more sensitive twin (`DetectorCatalog.warningTwinParameters`). A background learner that
/// sees no drift within ten metrics windows is dropped. All of it is part of the pipeline's
/// state, so a restart carries on bit for bit.
///
/// ```swift
/// var adaptation = DriftAdaptation(spec: spec, fresh: learner)
/// adaptation.observe(error: 1, watched: 1)                       // feeds the warning twin
/// let decision = adaptation.decide(drift: true, warningStarted: false, live: &learner)
/// ```
struct DriftAdaptation<L: PersistentLearner> {
    let settings: PipelineSpec.Adaptation
    let regression: Bool
    /// A fresh learner, copied for a reset or a new background learner.
    let fresh: L
    var background: L?
    /// Events the background learner has learned.
    var backgroundAge = 0
    /// The live and background errors on the same events, the newest `window` of them.
    var paired: PairedErrors
    /// The warning signal of a detector without a warning zone.
    var warningTwin: (any DriftDetector)?
    /// Events left with a raised learning rate.
    var boostRemaining = 0
    /// Moving averages of the watched value over about 100 and about 1,000 events, and how
    /// many values they have seen (they are plain means until then).
    var recentError = 0.0
    var longError = 0.0
    var tracked = 0

    /// A background learner is dropped after this many windows without a drift.
    static var backgroundLifetimeWindows: Int { 10 }
    /// The fewest paired events on which a background learner can be compared with the live model.
    static var minimumComparison: Int { 50 }

    init(spec: PipelineSpec, fresh: L) {
        settings = spec.adaptation
        regression = spec.task == .regression
        self.fresh = fresh
        paired = PairedErrors(capacity: spec.metrics.window)
        if settings.backgroundOnWarning,
           let parameters = DetectorCatalog.warningTwinParameters(spec.drift.detector, parameters: spec.drift.params) {
            warningTwin = try? DetectorCatalog.make(spec.drift.detector, parameters: parameters)
        }
    }

    /// Follows the value the detector watches and feeds it to the warning twin; true when the
    /// twin signals (a warning).
    mutating func track(_ watched: Double) -> Bool {
        tracked += 1
        let n = Double(tracked)
        recentError += (watched - recentError) * max(1 / n, 0.01)
        longError += (watched - longError) * max(1 / n, 0.001)
        // Taken out and put back, so that the twin is updated in place: `warningTwin!.update`
        // copied the whole detector (the optional's box had a second owner) on every event.
        guard var twin = warningTwin else { return false }
        warningTwin = nil
        twin.update(watched)
        let warns = twin.driftDetected
        warningTwin = consume twin
        return warns
    }

    /// Whether the watched error is higher lately than over the longer run.
    var errorRose: Bool { recentError > longError }

    /// Scores the background learner on the event the live model was just scored on.
    mutating func scoreBackground(_ x: FeatureVector, liveError: Double, output: inout [Double], error: ([Double]) -> Double) {
        guard let background else { return }
        background.predict(x, into: &output)
        paired.append(live: liveError, candidate: error(output))
    }

    /// Decides what a drift or the start of a warning does, and does it to `live`.
    mutating func decide(drift: Bool, warningStarted: Bool, live: inout L) -> AdaptationDecision? {
        guard errorRose else { return drift ? .errorFell : nil }
        if drift {
            if background != nil, paired.count >= Self.minimumComparison, candidateWins() {
                live = background!
                clearBackground()
                setBoost(0, on: &live)
                return .promoted
            }
            clearBackground()
            switch settings.policy {
            case .reset:
                live = fresh
                setBoost(0, on: &live)
                return .reset
            case .boostLR:
                setBoost(settings.boostEvents, on: &live)
                return .boosted(factor: settings.boostFactor, events: settings.boostEvents)
            case .none:
                return .kept
            }
        }
        if warningStarted, settings.backgroundOnWarning, background == nil {
            background = fresh
            return .backgroundStarted
        }
        return nil
    }

    /// After the live model learned an event: the background learner learns it too, and the
    /// boost counts down.
    mutating func learned(_ x: FeatureVector, label: Double, live: inout L) {
        if background != nil {
            background!.learn(x, label: label)
            backgroundAge += 1
            if backgroundAge > Self.backgroundLifetimeWindows * paired.capacity { clearBackground() }
        }
        if boostRemaining > 0 {
            boostRemaining -= 1
            if boostRemaining == 0 { live.learningRateScale = 1 }
        }
    }

    /// Forgets the background learner and any boost (after a rollback).
    mutating func restart(live: inout L) {
        clearBackground()
        warningTwin?.reset()
        setBoost(0, on: &live)
    }

    private func candidateWins() -> Bool {
        let (live, candidate) = paired.means()
        if regression { return candidate <= live * (1 - settings.promoteMargin) && candidate < live }
        return live - candidate >= settings.promoteMargin && candidate < live
    }

    private mutating func clearBackground() {
        background = nil
        backgroundAge = 0
        paired.removeAll()
    }

    private mutating func setBoost(_ events: Int, on live: inout L) {
        boostRemaining = events
        live.learningRateScale = events > 0 ? settings.boostFactor : 1
    }

    // MARK: State

    func write(to writer: inout StateWriter) {
        writer.write(background != nil)
        if let background { writer.write(blob: background.stateBlob()) }
        writer.write(backgroundAge)
        paired.write(to: &writer)
        writer.write(warningTwin != nil)
        if let warningTwin { writer.write(blob: warningTwin.serialized()) }
        writer.write(boostRemaining)
        writer.write(recentError)
        writer.write(longError)
        writer.write(tracked)
    }

    mutating func read(from reader: inout StateReader, live: inout L) throws(StateError) {
        if try reader.readBool() {
            let blob = try reader.readBlob()
            do { background = try L(stateBlob: blob) } catch { throw error }
        }
        backgroundAge = try reader.readInt()
        paired = try PairedErrors(from: &reader, capacity: paired.capacity)
        if try reader.readBool() {
            warningTwin = try DetectorCatalog.restore(try reader.readBlob())
        }
        let boost = try reader.readInt()
        recentError = try reader.readDouble()
        longError = try reader.readDouble()
        tracked = try reader.readInt()
        guard backgroundAge >= 0, boost >= 0, tracked >= 0 else { throw .invalid("adaptation state out of range") }
        setBoost(boost, on: &live)
    }
}

/// What the pipeline did about a detector's signal, as drift_events.decision records it.
///
/// ```swift
/// AdaptationDecision.boosted(factor: 2, events: 10_000).description // "boost_lr: learning rate x2 for 10000 events"
/// ```
enum AdaptationDecision: Equatable, CustomStringConvertible {
    case backgroundStarted
    case promoted
    case reset
    case boosted(factor: Double, events: Int)
    case kept
    /// A drift in which the error fell: nothing to adapt to.
    case errorFell

    var description: String {
        switch self {
        case .backgroundStarted: "background learner started"
        case .promoted: "promoted the background learner (drift-swap)"
        case .reset: "reset: the live model starts afresh"
        case .boosted(let factor, let events): "boost_lr: learning rate x\(factor.formatted()) for \(events) events"
        case .kept: "kept the live model (policy none)"
        case .errorFell: "none: the error fell"
        }
    }
}

private extension Double {
    func formatted() -> String { self == rounded() && abs(self) < 1e15 ? String(Int(self)) : String(self) }
}
