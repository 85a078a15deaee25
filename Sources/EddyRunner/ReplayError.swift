/// Why a replay was refused before it read anything.
///
/// ```swift
/// do { _ = try PipelineReplay(spec: spec, range: range, warmStart: 7).run() }
/// catch let error as ReplayError { print(error) }   // e.g. version 7 belongs to pipeline 'other'
/// ```
public enum ReplayError: Error, Equatable, CustomStringConvertible {
    /// The range itself makes no sense (empty, negative).
    case invalidRange(String)
    /// A time that is neither ISO-8601 nor epoch milliseconds.
    case invalidTime(String)
    /// A topic of the pipeline the broker does not know.
    case unknownTopic(String)
    /// A partition asked for that a topic does not have.
    case unknownPartition(topic: String, partition: Int32, partitions: Int)
    /// The warm-start version does not exist in the pipeline's database.
    case unknownVersion(id: Int64, database: String)
    /// The warm-start version belongs to another pipeline.
    case versionOfAnotherPipeline(id: Int64, owner: String, pipeline: String)

    public var description: String {
        switch self {
        case .invalidRange(let reason):
            "invalid replay range: \(reason)"
        case .invalidTime(let text):
            "'\(text)' is not a time: give ISO-8601 (2026-11-29T18:00:00Z) or milliseconds since the Unix epoch"
        case .unknownTopic(let topic):
            "topic '\(topic)' does not exist on the broker"
        case .unknownPartition(let topic, let partition, let count):
            "topic '\(topic)' has no partition \(partition): its partitions are 0...\(count - 1)"
        case .unknownVersion(let id, let database):
            "version \(id) does not exist in \(database) (see `eddy checkpoints`)"
        case .versionOfAnotherPipeline(let id, let owner, let pipeline):
            "version \(id) belongs to pipeline '\(owner)', not '\(pipeline)': a replay warm-starts only from its own pipeline's versions"
        }
    }
}
