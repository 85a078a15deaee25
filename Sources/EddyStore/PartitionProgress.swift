/// How far a model version has read one partition, and what it did with the events.
///
/// Counts are cumulative over the model's whole history, so the newest version's rows answer
/// "how many events of this partition were learned".
///
/// ```swift
/// let p = PartitionProgress(topic: "payments", partition: 0, nextOffset: 1_000, eventsLearned: 990, deadLettered: 10)
/// ```
public struct PartitionProgress: Sendable, Equatable, Hashable {
    public var topic: String
    public var partition: Int32
    /// The offset to resume from: one past the last event covered.
    public var nextOffset: Int64
    public var eventsLearned: Int
    public var deadLettered: Int

    public init(topic: String, partition: Int32, nextOffset: Int64, eventsLearned: Int, deadLettered: Int) {
        self.topic = topic
        self.partition = partition
        self.nextOffset = nextOffset
        self.eventsLearned = eventsLearned
        self.deadLettered = deadLettered
    }
}
