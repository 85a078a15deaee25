import EddyLearn
import EddyStore

/// What happened since the last checkpoint: events learned, and the dead letters, metric
/// points, drift events and rollbacks to write with the next checkpoint, in its transaction.
/// `eddy run` and `eddy replay` each keep one.
///
/// ```swift
/// var pending = PendingWork()
/// pending.events += 1
/// let id = try store.save(pending.checkpoint(of: core, pipeline: "demo", runID: run, parentID: last,
///                                            reason: "periodic", partitions: progress))
/// pending.clear()
/// ```
struct PendingWork {
    /// Events learned since the last checkpoint.
    var events = 0
    var deadLetters: [DeadLetter] = []
    var metricPoints: [MetricPoint] = []
    var driftEvents: [DriftEventRecord] = []
    var rollbacks: [RollbackRecord] = []

    /// Nothing to save.
    var isEmpty: Bool {
        events == 0 && deadLetters.isEmpty && metricPoints.isEmpty && driftEvents.isEmpty && rollbacks.isEmpty
    }

    /// The checkpoint that saves `core`'s whole state with this work (non-finite metrics left out).
    func checkpoint<L>(of core: Prequential<L>, pipeline: String, runID: Int64, parentID: Int64?, reason: String,
                       partitions: [PartitionProgress], appliedRequests: [Int64] = []) -> Checkpoint {
        Checkpoint(pipeline: pipeline, runID: runID, parentID: parentID, reason: reason, eventsSeen: core.state.eventsSeen,
                   partitions: partitions, state: core.state.stateBlob(), metrics: core.state.metrics.filter { $0.value.isFinite },
                   metricPoints: metricPoints.filter { $0.value.isFinite }, driftEvents: driftEvents, rollbacks: rollbacks,
                   deadLetters: deadLetters, appliedRequests: appliedRequests)
    }

    /// Starts over after a checkpoint saved it all (keeping the arrays' storage).
    mutating func clear() {
        events = 0
        deadLetters.removeAll(keepingCapacity: true)
        metricPoints.removeAll(keepingCapacity: true)
        driftEvents.removeAll(keepingCapacity: true)
        rollbacks.removeAll(keepingCapacity: true)
    }
}
