import EddyDrift
import EddyFeatures
import EddyKafka
import EddyLearn
import EddyPipeline
import EddyStore
import Foundation
import Logging

/// Runs a pipeline as a long-lived Kafka consumer: per polled batch it decodes each event,
/// predicts (prequential), scores, feeds the drift detector and learns; it checkpoints the
/// whole state with the offsets it covers into SQLite by the pipeline's policy, and commits
/// those offsets to Kafka only after they are saved.
///
/// The database, not the consumer group, decides where reading starts: at start and at every
/// partition assignment each partition is sought to the offset stored with the newest
/// version (partitions it has never seen start at their beginning). After a crash nothing is
/// lost and nothing is learned twice. One instance per pipeline and database: a second is
/// refused.
///
/// ```swift
/// let spec = try PipelineSpec.load(path: "pipelines/demo.yaml", environment: env)
/// let summary = try PipelineRunner(spec: spec, logger: logger)
///     .run(options: RunOptions(untilIdle: .seconds(10)), stop: .onTerminationSignals())
/// ```
public struct PipelineRunner {
    public let spec: PipelineSpec
    public let logger: Logger

    public init(spec: PipelineSpec, logger: Logger) {
        self.spec = spec
        self.logger = logger
    }

    /// Runs until `stop` is raised or, with `options.untilIdle`, until the topics go quiet.
    public func run(options: RunOptions, stop: StopSignal) throws -> RunSummary {
        let store = try CheckpointStore(path: spec.databasePath)
        let lock = try store.lock(pipeline: spec.name)
        defer { lock.release() }
        return try run(learner: try spec.makeLearner(), store: store, options: options, stop: stop)
    }

    private func run(learner: any PersistentLearner, store: CheckpointStore, options: RunOptions, stop: StopSignal) throws -> RunSummary {
        try withSpecialisedLearner(learner, Work(spec: spec, store: store, logger: logger, options: options, stop: stop))
    }

    private struct Work: LearnerTypedWork {
        let spec: PipelineSpec, store: CheckpointStore, logger: Logger, options: RunOptions, stop: StopSignal

        func run<L: PersistentLearner>(_ learner: L) throws -> RunSummary {
            try RunSession(spec: spec, store: store, learner: learner, logger: logger).run(options: options, stop: stop)
        }
    }
}

/// One run of a pipeline over a concrete learner type (so the per-event calls are specialised).
/// The fields touched for every event (`core`, `currentRow`, `pending`, `summary`) are used on
/// the learner's thread only and never while another access to them is open, so they skip the
/// runtime's exclusivity checks (`@exclusivity(unchecked)`), which cost about 2% of `eddy run`'s CPU.
final class RunSession<L: PersistentLearner> {
    let spec: PipelineSpec
    let store: CheckpointStore
    let logger: Logger
    @exclusivity(unchecked) var core: Prequential<L>
    let runID: Int64
    let restoredVersion: Int64?
    var lastVersion: Int64?
    /// Per partition: the next offset to read and the events learned/set aside so far.
    var progress: [TopicPartition: PartitionProgress] = [:]
    /// The row of the partition whose run of records is being processed, kept out of
    /// `progress` (no hashing per record) until the run ends or a checkpoint reads `progress`.
    @exclusivity(unchecked) private var currentRow: PartitionProgress?
    var assigned: Set<TopicPartition> = []
    /// Parses each batch on a second thread while this one learns.
    private let ahead: ParseAhead
    var consumer: KafkaConsumer!
    var deadLetterProducer: KafkaProducer?

    // Work since the last checkpoint, saved with it in one transaction.
    @exclusivity(unchecked) var pending = PendingWork()
    var lastCheckpoint = ContinuousClock.now

    @exclusivity(unchecked) var summary: RunSummary

    init(spec: PipelineSpec, store: CheckpointStore, learner: L, logger: Logger) throws {
        self.spec = spec
        self.store = store
        self.logger = logger
        // Replay versions are a separate lineage: the live run never resumes from one.
        if let version = try store.latestLiveVersion(pipeline: spec.name) {
            core = Prequential(spec: spec, state: try PipelineState(spec: spec, fresh: learner, restoring: version.state))
            for p in version.partitions { progress[TopicPartition(topic: p.topic, partition: p.partition)] = p }
            restoredVersion = version.id
            lastVersion = version.id
        } else {
            core = Prequential(spec: spec, state: PipelineState(spec: spec, learner: learner))
            restoredVersion = nil
        }
        ahead = ParseAhead(decoder: core.state.decoder)
        runID = try store.startRun(pipeline: spec.name, configJSON: spec.snapshot.json)
        let metricName = core.state.rollbackGuard.savedMetricName
        let recent = try store.versions(pipeline: spec.name, limit: 4 * spec.rollback.lookback)
            .filter { $0.reason != "replay" }.prefix(spec.rollback.lookback)
        for version in recent.reversed() { core.state.rollbackGuard.noteVersion(version.id, metric: version.metrics[metricName]) }
        summary = RunSummary(runID: runID, restoredVersion: restoredVersion, lastVersion: lastVersion,
                             eventsLearned: 0, deadLettered: 0, checkpoints: 0, drifts: 0, activeSeconds: 0)
    }

    var kafkaConfiguration: KafkaConfiguration {
        var config = KafkaConfiguration(spec.source.properties)
        config["bootstrap.servers"] = spec.source.brokers
        config["group.id"] = spec.source.group
        return config
    }

    func run(options: RunOptions, stop: StopSignal) throws -> RunSummary {
        defer { ahead.close() }
        logStartup()
        let listener = RebalanceListener(
            partitionsRevoked: { [unowned self] parts in revoke(parts) },
            partitionsAssigned: { [unowned self] parts in assign(parts) }
        )
        consumer = try KafkaConsumer(configuration: kafkaConfiguration, listener: listener, logger: logger)
        if let topic = spec.source.deadLetterTopic {
            deadLetterProducer = try KafkaProducer(configuration: kafkaConfiguration.forProducer(), logger: logger)
            logger.info("dead letters also go to topic \(topic)")
        }
        try consumer.subscribe(spec.source.topics)

        let clock = ContinuousClock()
        let subscribed = clock.now
        // The idle clock starts at the first assignment (or, while nothing is assigned, at the
        // subscription: topics that do not exist have nothing to assign and are drained at once).
        var lastRecord: ContinuousClock.Instant?
        var firstBatch: ContinuousClock.Instant?
        var lastBatch: ContinuousClock.Instant?
        var lastProgress = clock.now
        var eventsAtProgress = summary.eventsLearned + summary.deadLettered
        var stopReason = "stopped by signal"
        var polledAhead: KafkaBatch?
        while !stop.isRaised {
            try applyRollbackRequests()
            let batch: KafkaBatch
            if let next = polledAhead {
                batch = next
                polledAhead = nil
            } else {
                batch = try consumer.poll(maxRecords: options.maxBatch, timeoutMs: 200)
                if !batch.isEmpty { ahead.start(batch) }
            }
            if !batch.isEmpty {
                // What is already fetched is parsed while this batch is learned. A rebalance in
                // this poll sees this batch's records as not learned: their partitions'
                // progress still points at them.
                let next = try consumer.poll(maxRecords: options.maxBatch, timeoutMs: 0)
                if !next.isEmpty {
                    ahead.start(next)
                    polledAhead = next
                }
            }
            process(batch)
            let now = clock.now
            if !batch.isEmpty {
                if firstBatch == nil { firstBatch = now }
                lastBatch = now
            }
            if !batch.isEmpty || (lastRecord == nil && !assigned.isEmpty) { lastRecord = now }
            if shouldCheckpoint(now: now) { try checkpoint(reason: "periodic") }
            if now - lastProgress >= options.progressEvery {
                let handled = summary.eventsLearned + summary.deadLettered
                logProgress(rate: Double(handled - eventsAtProgress) / seconds(now - lastProgress))
                lastProgress = now
                eventsAtProgress = handled
            }
            if let idle = options.untilIdle, now - (lastRecord ?? subscribed) >= idle, try drained() {
                stopReason = assigned.isEmpty ? "nothing to read: no partitions in \(spec.source.topics.joined(separator: ", "))" : "drained, idle for \(idle)"
                if assigned.isEmpty { logger.warning("\(stopReason) (does the topic exist?)") }
                break
            }
        }
        if spec.checkpoint.onShutdown && !pending.isEmpty {
            try checkpoint(reason: "shutdown")
        }
        // A batch polled ahead is not learned; its records are read again from the saved progress.
        polledAhead = nil
        ahead.finishAll()
        try consumer.close()
        try deadLetterProducer?.flush()
        try store.stopRun(runID, reason: stopReason)
        logger.info("stopped (\(stopReason)): learned \(summary.eventsLearned), dead-lettered \(summary.deadLettered), \(summary.checkpoints) checkpoints, last version \(lastVersion.map(String.init) ?? "none")")
        summary.lastVersion = lastVersion
        if let first = firstBatch, let last = lastBatch { summary.activeSeconds = seconds(last - first) }
        return summary
    }

    /// True when every partition of the pipeline's topics is assigned here and read to its end.
    /// (Partitions still held by a member that died wait for its session to expire.)
    private func drained() throws -> Bool {
        var total = 0
        for topic in spec.source.topics { total += try consumer.partitionCount(of: topic) ?? 0 }
        guard assigned.count == total else { return false }
        // A partition nothing was read from starts where the database says, which the group's
        // committed offset lags behind when a run was killed between saving and committing.
        return try consumer.lag(started: progress.mapValues(\.nextOffset)).values.allSatisfy { $0 == 0 }
    }

    /// Predict, score, detect, learn: each event of the batch, prequentially, in order.
    /// Records come in runs of one partition; assignment only changes inside `poll`.
    private func process(_ batch: KafkaBatch) {
        guard !batch.isEmpty else { return }
        defer {
            ahead.finish()
            flushCurrentRow()
            currentRow = nil
        }
        var owned = false
        var run = (topic: -1, partition: Int32(-1))
        for i in batch.indices {
            let place = ahead.place(i)
            if place.topic != run.topic || place.partition != run.partition {
                flushCurrentRow()
                run = (place.topic, place.partition)
                let tp = TopicPartition(topic: batch.topics[place.topic], partition: place.partition)
                owned = assigned.contains(tp)  // revoked during this poll: its new owner reads it
                currentRow = owned ? progress[tp] ?? PartitionProgress(topic: tp.topic, partition: tp.partition, nextOffset: 0, eventsLearned: 0, deadLettered: 0) : nil
            }
            // A record this run already learned from comes again when its partition was
            // revoked and assigned back while a batch polled before was not yet learned: the
            // fetch restarts where the progress stood then.
            guard owned, place.offset >= currentRow.unsafelyUnwrapped.nextOffset else { continue }
            switch ahead.process(i, with: &core) {
            case .refused(let error): setAside(batch[i], reason: error.description)
            case .learned(let signal): learned(signal, offset: place.offset)
            }
        }
    }

    /// Counts a learned event and acts on what the core signalled.
    private func learned(_ signal: Prequential<L>.Signal, offset: Int64) {
        pending.events += 1
        summary.eventsLearned += 1
        currentRow!.record(offset: offset, learned: true)
        if core.state.eventsSeen % spec.metrics.snapshotEvery == 0 { pending.metricPoints += core.metricPoints(at: Date()) }
        if signal.drift || signal.warningStarted { recordDrift(signal) }
        if signal.decision == .promoted { saveNow(reason: "drift-swap") }
        if let reason = signal.rollback { rollBackAutomatically(reason: reason) }
    }

    private func recordDrift(_ signal: Prequential<L>.Signal) {
        let record = core.driftRecord(signal, at: Date())
        let decision = record.decision
        pending.driftEvents.append(record)
        if signal.drift {
            summary.drifts += 1
            logger.notice("drift detected by \(spec.drift.detector) after \(core.state.eventsSeen) events: \(decision)")
        } else if signal.decision != nil {
            logger.info("warning from \(spec.drift.detector) after \(core.state.eventsSeen) events: \(decision)")
        }
    }

    /// A checkpoint outside the schedule (a promotion); a failure is logged and the next
    /// scheduled checkpoint saves the same state.
    private func saveNow(reason: String) {
        do { try checkpoint(reason: reason) } catch {
            logger.error("could not save the \(reason) version; the next checkpoint will: \(error)")
        }
    }

    /// The guard tripped: go back to the last good version, if there is one.
    private func rollBackAutomatically(reason: String) {
        guard let target = core.state.rollbackGuard.target() else {
            logger.warning("rollback guard: \(reason); no earlier version is good enough to go back to, so the guard starts over from the next versions")
            return
        }
        do {
            try rollBack(to: target, reason: reason, requests: [])
        } catch {
            logger.error("rollback to v\(target) failed; the live model stays: \(error)")
        }
    }

    /// Restores `target`'s model, and saves it at once as a version descending from `target`
    /// with a rollbacks row (and the manual requests it applies).
    private func rollBack(to target: Int64, reason: String, requests: [Int64]) throws {
        guard let version = try store.version(target) else { throw StoreError.noSuchVersion(id: target, path: store.path) }
        try core.rollBack(to: target, blob: version.state)
        summary.rollbacks += 1
        pending.rollbacks.append(RollbackRecord(fromVersion: lastVersion, toVersion: target, at: Date(), reason: reason))
        logger.warning("rolled back from v\(lastVersion.map(String.init) ?? "-") to v\(target): \(reason)")
        try checkpoint(reason: "rollback", parent: target, appliedRequests: requests)
    }

    /// Applies the manual rollback requests waiting in the database (`eddy rollback --to`): the
    /// newest wins and the older ones are applied with it. A request whose version cannot be
    /// restored into this pipeline (its learner differs) is refused with why, and the run goes on.
    private func applyRollbackRequests() throws {
        let requests = try store.pendingRollbackRequests(pipeline: spec.name)
        guard let last = requests.last else { return }
        do {
            guard let version = try store.version(last.toVersion) else { throw StoreError.noSuchVersion(id: last.toVersion, path: store.path) }
            var probe = core
            try probe.rollBack(to: last.toVersion, blob: version.state)
        } catch {
            logger.error("rollback request \(last.id) to v\(last.toVersion) refused: \(error)")
            for request in requests { try store.refuseRollbackRequest(request.id, because: "\(error)") }
            return
        }
        try rollBack(to: last.toVersion, reason: last.reason, requests: requests.map(\.id))
    }

    /// A record that cannot be learned from: counted, kept with its reason, never learned.
    private func setAside(_ record: KafkaRecord, reason: String) {
        let tp = record.topicPartition
        pending.deadLetters.append(DeadLetter(topic: tp.topic, partition: tp.partition, offset: record.offset,
                                              reason: reason, payload: record.value, at: Date()))
        currentRow!.record(offset: record.offset, learned: false)
        summary.deadLettered += 1
        if let producer = deadLetterProducer, let topic = spec.source.deadLetterTopic {
            do {
                try producer.send(topic: topic, key: Array("\(tp)@\(record.offset)".utf8), value: Array(record.value))
            } catch {
                logger.warning("could not produce a dead letter to \(topic): \(error)")
            }
        }
    }

    private func shouldCheckpoint(now: ContinuousClock.Instant) -> Bool {
        guard !pending.isEmpty else { return false }
        if let every = spec.checkpoint.everyEvents, pending.events >= every { return true }
        if let seconds = spec.checkpoint.everySeconds, now - lastCheckpoint >= .milliseconds(Int64(seconds * 1000)) { return true }
        return false
    }

    private func flushCurrentRow() {
        guard let row = currentRow else { return }
        progress[TopicPartition(topic: row.topic, partition: row.partition)] = row
    }

    /// Saves the whole state with the offsets it covers in one transaction, then commits
    /// those offsets to Kafka (for lag monitoring: the database stays the source of truth).
    func checkpoint(reason: String, parent: Int64? = nil, appliedRequests: [Int64] = []) throws {
        flushCurrentRow()
        let clock = ContinuousClock()
        let start = clock.now
        if spec.rollback.enabled && spec.rollback.onNonFinite && reason != "rollback" && !core.state.isFinite {
            // Never save a broken model: go back instead; the rollback saves everything pending.
            rollBackAutomatically(reason: "a weight or the scaler's statistics became NaN or infinite by event \(core.state.eventsSeen)")
            guard core.state.isFinite else { throw RunnerError.brokenModel(eventsSeen: core.state.eventsSeen) }
            return
        }
        let partitions = progress.values.sorted { ($0.topic, $0.partition) < ($1.topic, $1.partition) }
        let saving = pending.checkpoint(of: core, pipeline: spec.name, runID: runID, parentID: parent ?? lastVersion,
                                        reason: reason, partitions: partitions, appliedRequests: appliedRequests)
        let id = try store.save(saving)
        lastVersion = id
        core.state.rollbackGuard.noteVersion(id, metric: core.state.metrics[core.state.rollbackGuard.savedMetricName])
        summary.checkpoints += 1
        let saved = pending.events
        pending.clear()
        lastCheckpoint = clock.now
        logger.info("checkpoint v\(id) (\(reason)): \(core.state.eventsSeen) events, +\(saved) since last, \(saving.state.count) bytes, \(milliseconds(clock.now - start)) ms")
        let offsets = Dictionary(uniqueKeysWithValues: partitions
            .map { (TopicPartition(topic: $0.topic, partition: $0.partition), $0.nextOffset) }
            .filter { assigned.contains($0.0) })
        do {
            try consumer.commit(offsets)
        } catch {
            logger.warning("offsets saved in v\(id) but not committed to Kafka (lag figures lag behind): \(error)")
        }
    }

    /// The partitions arrive: start each where the database says.
    private func assign(_ parts: [TopicPartition]) -> [TopicPartition: Int64] {
        assigned.formUnion(parts)
        var start: [TopicPartition: Int64] = [:]
        for tp in parts {
            start[tp] = progress[tp]?.nextOffset ?? -2  // RD_KAFKA_OFFSET_BEGINNING: never seen here
        }
        logger.info("assigned \(parts.sorted().map { "\($0)@\(start[$0].map { $0 < 0 ? "beginning" : String($0) } ?? "")" }.joined(separator: ", "))")
        return start
    }

    /// The partitions go: save everything learned from them first.
    private func revoke(_ parts: [TopicPartition]) {
        if !pending.isEmpty {
            do {
                try checkpoint(reason: "revoke")
            } catch {
                logger.error("checkpoint on revoke failed; the next owner re-reads from the last saved version: \(error)")
            }
        }
        assigned.subtract(parts)
    }

    private func logStartup() {
        let restored = restoredVersion.map { "v\($0) (\(core.state.eventsSeen) events)" } ?? "none (fresh model)"
        let offsets = progress.keys.sorted().map { "\($0)@\(progress[$0]!.nextOffset)" }.joined(separator: ", ")
        logger.info("""
            eddy run \(spec.name): librdkafka \(KafkaConsumer.librdkafkaVersion), brokers \(spec.source.brokers), \
            topics \(spec.source.topics.joined(separator: ",")), group \(spec.source.group), \
            learner \(spec.learner.kind.rawValue), database \(spec.databasePath), restored \(restored)\
            \(offsets.isEmpty ? "" : ", offsets \(offsets)")
            """)
    }

    private func logProgress(rate: Double) {
        let lag = (try? consumer.lag().values.reduce(0, +)).map(String.init) ?? "?"
        let key = spec.learningTask == .regression ? "mae" : "accuracy"
        let metric = core.state.rolling.value(named: key) ?? .nan
        logger.info("progress: \(core.state.eventsSeen) events, \(Int(rate)) events/s, lag \(lag), rolling \(key) \(String(format: "%.4f", metric)), dead letters \(summary.deadLettered)")
    }
}

private func seconds(_ d: Duration) -> Double {
    Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
}

private func milliseconds(_ d: Duration) -> Int {
    Int(seconds(d) * 1000)
}

extension PartitionProgress {
    /// Counts one record at `offset` as learned or set aside and moves past it.
    mutating func record(offset: Int64, learned: Bool) {
        nextOffset = offset + 1
        if learned { eventsLearned += 1 } else { deadLettered += 1 }
    }
}
