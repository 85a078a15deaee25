/// What a group consumer's owner does when partitions move. Both closures run inside
/// `KafkaConsumer.poll`, on the polling thread, before the move takes effect.
///
/// - `partitionsRevoked`: the partitions are about to go; save state and commit for them now.
/// - `partitionsAssigned`: the partitions are arriving; return the offset to start each at
///   (for example the offsets stored with a checkpoint). Partitions left out of the answer
///   resume at the group's committed offset (or `auto.offset.reset` when there is none).
///
/// ```swift
/// let listener = RebalanceListener(
///     partitionsRevoked: { parts in store.checkpoint(covering: parts) },
///     partitionsAssigned: { parts in store.offsets(for: parts) }
/// )
/// let consumer = try KafkaConsumer(configuration: config, listener: listener)
/// ```
public struct RebalanceListener {
    public var partitionsRevoked: ([TopicPartition]) -> Void
    public var partitionsAssigned: ([TopicPartition]) -> [TopicPartition: Int64]

    public init(partitionsRevoked: @escaping ([TopicPartition]) -> Void = { _ in },
                partitionsAssigned: @escaping ([TopicPartition]) -> [TopicPartition: Int64] = { _ in [:] }) {
        self.partitionsRevoked = partitionsRevoked
        self.partitionsAssigned = partitionsAssigned
    }
}
