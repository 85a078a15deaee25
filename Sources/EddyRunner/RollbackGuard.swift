import EddyCodec
import EddyPipeline

/// The automatic rollback guard of the pipeline file's `rollback` section. Once per metrics
/// window it compares the rolling metric with the best of the recent versions' (the newest
/// `lookback` saved, each with the rolling metric it was saved with); after `windows`
/// consecutive windows worse than that best by `margin`, it trips. Its target is the newest
/// recent version that was itself within `margin` of the best: the last good one.
///
/// A second trip towards the same target means the old level is not coming back (the world
/// changed for good); then the guard forgets its recent versions and starts from the next ones
/// instead of rolling back again.
///
/// ```swift
/// var guard = RollbackGuard(settings: spec.rollback, window: 1000, task: .binary)
/// guard.noteVersion(12, metric: 0.95)
/// if guard.windowEnded(metric: 0.61) { let target = guard.target() }   // after `windows` bad windows: 12
/// ```
struct RollbackGuard {
    /// A saved version and the rolling metric it was saved with.
    struct Version: Equatable {
        var id: Int64
        var metric: Double
    }

    let settings: PipelineSpec.Rollback
    let higherIsBetter: Bool
    /// The recent versions, oldest first (not saved in the state: the driver notes them).
    private(set) var recent: [Version] = []
    /// Consecutive windows worse than the best recent version by the margin.
    private(set) var strikes = 0
    /// Where the last rollback went, until a better version is noted.
    private(set) var lastTarget: Int64?

    init(settings: PipelineSpec.Rollback) {
        self.settings = settings
        higherIsBetter = !["log_loss", "mae", "rmse"].contains(settings.metric)
    }

    /// The name of the metric in a version's saved metrics (`rolling_accuracy`, ...).
    var savedMetricName: String { "rolling_" + settings.metric }

    /// Remembers a saved version (non-finite metrics are not comparable and are skipped).
    mutating func noteVersion(_ id: Int64, metric: Double?) {
        guard settings.enabled, let metric, metric.isFinite else { return }
        recent.append(Version(id: id, metric: metric))
        if recent.count > settings.lookback { recent.removeFirst(recent.count - settings.lookback) }
        if let best, !worse(metric, than: best) { lastTarget = nil }
    }

    /// Judges a finished window's rolling metric; true when the guard trips.
    mutating func windowEnded(metric: Double) -> Bool {
        guard settings.enabled, metric.isFinite, let best else { return false }
        strikes = worse(metric, than: best) ? strikes + 1 : 0
        return strikes >= settings.windows
    }

    /// The version to roll back to after a trip, or nil when there is none or the guard gave
    /// up on it (see the type's discussion); in both cases the guard starts over.
    mutating func target() -> Int64? {
        strikes = 0
        guard let best else { return nil }
        let good = recent.last { !worse($0.metric, than: best) }
        guard let good, good.id != lastTarget else {
            recent.removeAll()
            lastTarget = nil
            return nil
        }
        return good.id
    }

    /// After rolling back to `version`: the versions after it are not good, and the count starts over.
    mutating func rolledBack(to version: Int64) {
        recent.removeAll { $0.id > version }
        strikes = 0
        lastTarget = version
    }

    /// A description of the trip for the rollbacks table.
    func reason(metric: Double) -> String {
        let best = best.map { String(format: "%.4f", $0.metric) } ?? "?"
        return "rolling \(settings.metric) \(String(format: "%.4f", metric)) stayed \(higherIsBetter ? "below" : "above") the best recent version's \(best) by more than \(settings.margin) for \(settings.windows) windows"
    }

    var best: Version? {
        recent.max { higherIsBetter ? $0.metric < $1.metric : $0.metric > $1.metric }
    }

    private func worse(_ metric: Double, than best: Version) -> Bool {
        higherIsBetter ? metric < best.metric - settings.margin : metric > best.metric + settings.margin
    }

    // MARK: State (the counters; recent versions come from the store)

    func write(to writer: inout StateWriter) {
        writer.write(strikes)
        writer.write(Int(lastTarget ?? -1))
    }

    mutating func read(from reader: inout StateReader) throws(StateError) {
        strikes = try reader.readInt()
        let target = try reader.readInt()
        guard strikes >= 0, target >= -1 else { throw .invalid("rollback guard state out of range") }
        lastTarget = target < 0 ? nil : Int64(target)
    }
}
