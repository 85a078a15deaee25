import EddyKafka
import EddyLearn
import EddyPipeline
import EddyStore
import Logging

/// Replays (backfills) a bounded range of a pipeline's topics into a model lineage of its own:
/// a fresh one, or one warm-started from a saved version. It reads without a consumer group
/// (no group's committed offsets are touched), through the same per-event core as `eddy run`,
/// and saves versions with reason `replay` every `checkpoint.every_events` events and at the
/// end. A live `eddy run` never resumes from a replay version; `eddy rollback --to V` is how one
/// goes live.
///
/// Deterministic: partitions are read one after another in (topic, partition) order, each in
/// offset order, so the same range and pipeline give bitwise the same versions. A range's open
/// end is fixed when the replay starts (each partition's end as a fetch reports it), so records
/// produced meanwhile are not read.
///
/// A time range is exact on any broker: each selected partition is read whole and only records
/// with `from <= timestamp < to` are learned (brokers' time indexes are not trusted; Tansu's
/// answers offset 0 for every time). The cost is reading the whole partitions.
///
/// ```swift
/// let range = try ReplayRange(offsets: 0, to: 100_000)
/// let summary = try PipelineReplay(spec: spec, range: range, warmStart: nil, logger: logger)
///     .run(stop: .onTerminationSignals())
/// print(summary.lastVersion!, summary.eventsLearned)
/// ```
public struct PipelineReplay {
    public let spec: PipelineSpec
    public let range: ReplayRange
    /// The version to start from (it must be the pipeline's); nil trains a fresh model.
    public let warmStart: Int64?
    public let logger: Logger

    public init(spec: PipelineSpec, range: ReplayRange, warmStart: Int64? = nil, logger: Logger = Logger(label: "eddy.replay")) {
        self.spec = spec
        self.range = range
        self.warmStart = warmStart
        self.logger = logger
    }

    /// Reads the range and learns from it; returns once it is read or once `stop` is raised
    /// (then `interrupted`, with what was learned saved). `progress` is called after every batch.
    public func run(stop: StopSignal = StopSignal(), progress: (ReplayProgress) -> Void = { _ in }) throws -> ReplaySummary {
        let store = try CheckpointStore(path: spec.databasePath)
        var start: ModelVersion?
        if let warmStart {
            guard let version = try store.version(warmStart) else {
                throw ReplayError.unknownVersion(id: warmStart, database: spec.databasePath)
            }
            guard version.pipeline == spec.name else {
                throw ReplayError.versionOfAnotherPipeline(id: warmStart, owner: version.pipeline, pipeline: spec.name)
            }
            start = version
        }
        let reader = try KafkaRangeReader(configuration: kafkaConfiguration, logger: logger)
        defer { try? reader.close() }
        let plan = try readingPlan(reader)
        let learner = try spec.makeLearner()
        return try withoutActuallyEscaping(progress) { progress in
            try withSpecialisedLearner(learner, Work(replay: self, store: store, start: start, reader: reader, plan: plan,
                                                     stop: stop, progress: progress))
        }
    }

    var kafkaConfiguration: KafkaConfiguration {
        var config = KafkaConfiguration(spec.source.properties)
        config["bootstrap.servers"] = spec.source.brokers
        return config
    }

    /// The offsets to read, per selected partition, in reading order.
    private func readingPlan(_ reader: KafkaRangeReader) throws -> [(TopicPartition, Range<Int64>)] {
        var selected: [TopicPartition] = []
        for topic in spec.source.topics.sorted() {
            guard let count = try reader.partitionCount(of: topic), count > 0 else { throw ReplayError.unknownTopic(topic) }
            if let wanted = range.partitions {
                if let missing = wanted.first(where: { Int($0) >= count }) {
                    throw ReplayError.unknownPartition(topic: topic, partition: missing, partitions: count)
                }
                selected += wanted.map { TopicPartition(topic: topic, partition: $0) }
            } else {
                selected += (0..<Int32(count)).map { TopicPartition(topic: topic, partition: $0) }
            }
        }
        let ends = try reader.ends(of: selected)
        return try selected.sorted().map { tp in
            let end = ends[tp]!
            switch range.bounds {
            case .offsets(let from, let to):
                let first = min(try from ?? reader.firstOffset(of: tp), end)
                let last = min(to ?? end, end)
                return (tp, first..<max(first, last))
            case .time:
                let first = try reader.firstOffset(of: tp)
                return (tp, first..<max(first, end))
            }
        }
    }

    private struct Work: LearnerTypedWork {
        let replay: PipelineReplay, store: CheckpointStore, start: ModelVersion?, reader: KafkaRangeReader
        let plan: [(TopicPartition, Range<Int64>)], stop: StopSignal, progress: (ReplayProgress) -> Void

        func run<L: PersistentLearner>(_ learner: L) throws -> ReplaySummary {
            try ReplaySession(replay: replay, store: store, reader: reader, learner: learner, start: start)
                .run(plan: plan, stop: stop, progress: progress)
        }
    }
}
