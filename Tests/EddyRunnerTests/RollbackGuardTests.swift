@testable import EddyRunner
import EddyPipeline
import Testing

private func settings(metric: String = "accuracy", margin: Double = 0.1, windows: Int = 2, lookback: Int = 3) -> PipelineSpec.Rollback {
    try! PipelineSpec.parse(yaml: """
        source: {brokers: none, topics: [none]}
        features: {numeric: [x], label: y}
        learner: {kind: logistic_regression}
        rollback: {metric: \(metric), margin: \(margin), windows: \(windows), lookback: \(lookback)}
        """, environment: [:]).rollback
}


/// The guard's rules, one by one: trips after `windows` bad windows in a row, aims at the
/// newest version within the margin of the best recent one, forgets versions beyond the
/// lookback, and gives up on a target it already went back to.
@Suite struct RollbackGuardTests {
    @Test func tripsAfterConsecutiveBadWindowsOnly() {
        var guardian = RollbackGuard(settings: settings())
        do { let tripped = guardian.windowEnded(metric: 0.1); #expect(!tripped) }            // no version yet: nothing to compare with
        guardian.noteVersion(1, metric: 0.95)
        do { let tripped = guardian.windowEnded(metric: 0.80); #expect(!tripped) }           // one bad window
        do { let tripped = guardian.windowEnded(metric: 0.90); #expect(!tripped) }           // within the margin: the count starts over
        do { let tripped = guardian.windowEnded(metric: 0.80); #expect(!tripped) }
        do { let tripped = guardian.windowEnded(metric: 0.70); #expect(tripped) }            // the second in a row
        do { let tripped = guardian.windowEnded(metric: .nan); #expect(!tripped) }           // not comparable: no judgement
    }

    @Test func aimsAtTheNewestGoodVersionWithinTheLookback() {
        var guardian = RollbackGuard(settings: settings())
        guardian.noteVersion(1, metric: 0.97)
        guardian.noteVersion(2, metric: 0.93)                 // within 0.1 of the best: good
        guardian.noteVersion(3, metric: 0.60)                 // bad
        do { let aimed = guardian.target(); #expect(aimed == 2) }
        guardian.rolledBack(to: 2)
        #expect(guardian.recent.map(\.id) == [1, 2])          // what came after the target is dropped
        guardian.noteVersion(4, metric: 0.5)
        guardian.noteVersion(5, metric: 0.5)
        guardian.noteVersion(6, metric: 0.5)
        #expect(guardian.recent.map(\.id) == [4, 5, 6])       // lookback 3: the good ones aged out
        #expect(guardian.best?.id == 4)
    }

    @Test func givesUpOnATargetItAlreadyWentBackTo() {
        var guardian = RollbackGuard(settings: settings())
        guardian.noteVersion(1, metric: 0.95)
        guardian.noteVersion(2, metric: 0.50)
        do { let aimed = guardian.target(); #expect(aimed == 1) }
        guardian.rolledBack(to: 1)
        guardian.noteVersion(3, metric: 0.55)                 // still bad after going back
        do { let aimed = guardian.target(); #expect(aimed == nil) }                     // the old level is not coming back
        #expect(guardian.recent.isEmpty)
        guardian.noteVersion(4, metric: 0.56)
        #expect(guardian.best?.id == 4)                       // a new baseline
    }

    @Test func lowerIsBetterForLosses() {
        var guardian = RollbackGuard(settings: settings(metric: "log_loss", margin: 0.2, windows: 1))
        guardian.noteVersion(1, metric: 0.3)
        do { let tripped = guardian.windowEnded(metric: 0.45); #expect(!tripped) }
        do { let tripped = guardian.windowEnded(metric: 0.6); #expect(tripped) }
        #expect(guardian.reason(metric: 0.6).contains("above the best recent version's 0.3000"))
    }
}
