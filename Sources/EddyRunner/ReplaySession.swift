import EddyKafka
import EddyLearn
import EddyPipeline
import EddyStore
import Foundation
import Logging

/// One replay over a concrete learner type (so the per-event calls are specialised).
final class ReplaySession<L: PersistentLearner> {
    let spec: PipelineSpec
    let range: ReplayRange
    let store: CheckpointStore
    let logger: Logger
    let reader: KafkaRangeReader
    var core: Prequential<L>
    let runID: Int64
    let warmStart: Int64?
    var lastVersion: Int64?
    /// Per partition, cumulative over the lineage (a warm start's rows carried on).
    var lineage: [TopicPartition: PartitionProgress] = [:]
    /// Per partition read: this replay's own share.
    var replayed: [ReplayedPartition] = []

    // Work since the last checkpoint, saved with it in one transaction.
    var pending = PendingWork()
    /// Whether a rollback-guard trip was logged (once per replay).
    var guardNoted = false
    /// Parses each batch on a second thread while this one learns.
    private let ahead: ParseAhead

    var summary: ReplaySummary

    init(replay: PipelineReplay, store: CheckpointStore, reader: KafkaRangeReader, learner: L, start: ModelVersion?) throws {
        spec = replay.spec
        range = replay.range
        self.store = store
        logger = replay.logger
        self.reader = reader
        if let start {
            core = Prequential(spec: spec, state: try PipelineState(spec: spec, fresh: learner, restoring: start.state))
            for p in start.partitions { lineage[TopicPartition(topic: p.topic, partition: p.partition)] = p }
        } else {
            core = Prequential(spec: spec, state: PipelineState(spec: spec, learner: learner))
        }
        ahead = ParseAhead(decoder: core.state.decoder)
        warmStart = start?.id
        lastVersion = start?.id
        runID = try store.startRun(pipeline: spec.name, configJSON: spec.snapshot.json)
        summary = ReplaySummary(runID: runID, warmStart: warmStart, firstVersion: nil, lastVersion: nil, partitions: [],
                                recordsRead: 0, eventsLearned: 0, deadLettered: 0, checkpoints: 0, drifts: 0,
                                activeSeconds: 0, interrupted: false)
    }

    func run(plan: [(TopicPartition, Range<Int64>)], stop: StopSignal, progress: (ReplayProgress) -> Void) throws -> ReplaySummary {
        defer { ahead.close() }
        let total = plan.reduce(Int64(0)) { $0 + Int64($1.1.count) }
        logger.info("""
            eddy replay \(spec.name): \(range), \(plan.count) partitions, \(total) offsets to read, \
            \(warmStart.map { "warm start from v\($0)" } ?? "fresh lineage"), database \(spec.databasePath)
            """)
        let clock = ContinuousClock()
        let began = clock.now
        var offsetsRead: Int64 = 0
        do {
            for (tp, offsets) in plan {
                let before = offsetsRead
                summary.interrupted = try read(tp, offsets, stop: stop) { position in
                    offsetsRead = before + (position - offsets.lowerBound)
                    progress(ReplayProgress(offsetsRead: offsetsRead, offsetsTotal: total,
                                            eventsLearned: summary.eventsLearned, deadLettered: summary.deadLettered,
                                            elapsed: clock.now - began, finished: false))
                }
                if summary.interrupted { break }
                offsetsRead = before + Int64(offsets.count)
            }
            summary.activeSeconds = seconds(clock.now - began)
            if summary.checkpoints == 0 || !pending.isEmpty { try checkpoint() }
        } catch {
            try? store.stopRun(runID, reason: "replay of \(range) failed: \(error)")
            throw error
        }
        let learned = "\(summary.eventsLearned) learned, \(summary.deadLettered) dead-lettered"
        let reason = summary.interrupted
            ? "replay of \(range) interrupted by a signal: \(learned) before it"
            : "replay of \(range) done: \(learned)"
        try store.stopRun(runID, reason: reason)
        progress(ReplayProgress(offsetsRead: offsetsRead, offsetsTotal: total,
                                eventsLearned: summary.eventsLearned, deadLettered: summary.deadLettered,
                                elapsed: clock.now - began, finished: true))
        logger.info("\(reason); last version v\(lastVersion.map(String.init) ?? "none")")
        summary.partitions = replayed
        return summary
    }

    /// Reads one partition's range in offset order; `progress` gets the next offset after each
    /// batch. Returns true when `stop` ended the reading early.
    private func read(_ tp: TopicPartition, _ offsets: Range<Int64>, stop: StopSignal, progress: (Int64) -> Void) throws -> Bool {
        var share = ReplayedPartition(topic: tp.topic, partition: tp.partition, from: offsets.lowerBound, to: offsets.lowerBound,
                                      eventsLearned: 0, deadLettered: 0)
        var row = lineage[tp] ?? PartitionProgress(topic: tp.topic, partition: tp.partition, nextOffset: 0, eventsLearned: 0, deadLettered: 0)
        let opened = ContinuousClock.now
        try reader.read([tp: offsets])
        let every = spec.checkpoint.everyEvents ?? .max
        let snapshotEvery = spec.metrics.snapshotEvery
        var position = offsets.lowerBound  // the next offset to read
        let byTime = if case .time = range.bounds { true } else { false }
        var interrupted = false
        // The next batch is read and parsed while this one is learned.
        defer { ahead.finishAll() }
        var upcoming = try reader.next()
        if let first = upcoming { ahead.start(first) }
        while let batch = upcoming {
            upcoming = try reader.next()
            if let next = upcoming { ahead.start(next) }
            summary.recordsRead += batch.count
            defer { ahead.finish() }
            for i in batch.indices {
                let offset = ahead.place(i).offset
                position = offset + 1
                if byTime, !range.admits(timestamp: batch[i].timestamp) { continue }
                switch ahead.process(i, with: &core) {
                case .refused(let error):
                    pending.deadLetters.append(DeadLetter(topic: tp.topic, partition: tp.partition, offset: offset,
                                                         reason: error.description, payload: batch[i].value, at: Date()))
                    row.deadLettered += 1
                    share.deadLettered += 1
                    summary.deadLettered += 1
                case .learned(let signal):
                    if signal.drift || signal.warningStarted {
                        pending.driftEvents.append(core.driftRecord(signal, at: Date()))
                        if signal.drift { summary.drifts += 1 }
                    }
                    if let reason = signal.rollback, !guardNoted {
                        guardNoted = true
                        logger.warning("rollback guard at event \(core.state.eventsSeen): \(reason); a replay does not roll back (it would stop at a checkpoint with a broken model)")
                    }
                    row.eventsLearned += 1
                    share.eventsLearned += 1
                    summary.eventsLearned += 1
                    pending.events += 1
                    if core.state.eventsSeen % snapshotEvery == 0 { pending.metricPoints += core.metricPoints(at: Date()) }
                    if pending.events >= every {
                        row.nextOffset = position
                        lineage[tp] = row
                        try checkpoint()
                    }
                }
            }
            progress(position)
            if stop.isRaised {
                interrupted = true
                break
            }
        }
        if !interrupted { position = reader.stoppedAt[tp] ?? offsets.upperBound }
        logger.debug("\(tp): offsets [\(offsets.lowerBound), \(position)) read in \(ContinuousClock.now - opened)")
        share.to = position
        replayed.append(share)
        if interrupted && position == offsets.lowerBound { return true }  // nothing read here
        row.nextOffset = position
        lineage[tp] = row
        return interrupted
    }

    /// Saves the state as a `replay` version, child of the previous one (or of the warm start).
    /// A model with a NaN or infinite weight is never saved: the replay stops instead.
    private func checkpoint() throws {
        let started = ContinuousClock.now
        guard core.state.isFinite else { throw RunnerError.brokenModel(eventsSeen: core.state.eventsSeen) }
        let partitions = lineage.values.sorted { ($0.topic, $0.partition) < ($1.topic, $1.partition) }
        let id = try store.save(pending.checkpoint(of: core, pipeline: spec.name, runID: runID, parentID: lastVersion,
                                                   reason: "replay", partitions: partitions))
        lastVersion = id
        if summary.firstVersion == nil { summary.firstVersion = id }
        summary.lastVersion = id
        summary.checkpoints += 1
        pending.clear()
        logger.debug("replay checkpoint v\(id): \(core.state.eventsSeen) events, saved in \(ContinuousClock.now - started)")
    }
}

private func seconds(_ d: Duration) -> Double {
    Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
}
