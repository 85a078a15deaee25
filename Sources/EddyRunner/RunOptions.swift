/// How `PipelineRunner.run` behaves beyond what the pipeline file says.
///
/// ```swift
/// let options = RunOptions(untilIdle: .seconds(10))   // stop once the topics are drained
/// ```
public struct RunOptions: Sendable {
    /// Stop (with a shutdown checkpoint) once the topics are drained: every partition of them is
    /// assigned here, none has records left, and none has arrived for this long. nil runs until stopped.
    public var untilIdle: Duration?
    /// How often a progress line is logged.
    public var progressEvery: Duration
    /// The most records taken from Kafka per poll.
    public var maxBatch: Int

    public init(untilIdle: Duration? = nil, progressEvery: Duration = .seconds(5), maxBatch: Int = 5_000) {
        self.untilIdle = untilIdle
        self.progressEvery = progressEvery
        self.maxBatch = maxBatch
    }
}

/// What a run did, for the command's last line and for tests.
///
/// ```swift
/// let summary = try runner.run(options: options, stop: stop)
/// print(summary.eventsLearned, summary.lastVersion ?? 0)
/// ```
public struct RunSummary: Sendable, Equatable {
    public var runID: Int64
    /// The version the run started from, if any.
    public var restoredVersion: Int64?
    /// The newest version when the run ended.
    public var lastVersion: Int64?
    /// Events learned and set aside during this run.
    public var eventsLearned: Int
    public var deadLettered: Int
    public var checkpoints: Int
    public var drifts: Int
    /// Rollbacks done (automatic and manual).
    public var rollbacks: Int = 0
    /// Seconds from the first record to the last one handled (group joins and idle waits excluded).
    public var activeSeconds: Double
}
