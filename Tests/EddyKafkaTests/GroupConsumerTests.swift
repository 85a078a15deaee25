import EddyKafka
import EddyKafkaTesting
import Testing

/// Consumes as a member of `group` until `limit` records are processed or `deadline` passes,
/// committing exactly the processed records, and returns them as partition -> offsets.
private func consume(topic: String, group: String, limit: Int, deadline: Duration) throws -> [Int32: [Int64]] {
    var config = try TestBroker.configuration
    config["group.id"] = group
    let consumer = try KafkaConsumer(configuration: config)
    try consumer.subscribe([topic])
    var seen: [Int32: [Int64]] = [:]
    var processed = 0
    let clock = ContinuousClock()
    let end = clock.now + deadline
    while processed < limit && clock.now < end {
        let batch = try consumer.poll(maxRecords: 2_000, timeoutMs: 200)
        var next: [TopicPartition: Int64] = [:]
        for record in batch {
            guard processed < limit else { break }
            #expect(String(decoding: record.value, as: UTF8.self) == String(Int(record.offset) * 3 + Int(record.partition)))
            seen[record.partition, default: []].append(record.offset)
            next[record.topicPartition] = record.offset + 1
            processed += 1
        }
        try consumer.commit(next)
    }
    try consumer.close()
    return seen
}

@Test(.timeLimit(.minutes(2)))
func groupConsumerReadsEachRecordOnceAndResumesAtCommittedOffsets() throws {
    let topic = try TestBroker.topic("once", partitions: 3, records: 100_000)
    let group = TestBroker.uniqueName("g-once")
    let first = try consume(topic: topic, group: group, limit: 60_000, deadline: .seconds(60))
    #expect(first.values.map(\.count).reduce(0, +) == 60_000)
    let second = try consume(topic: topic, group: group, limit: 100_000, deadline: .seconds(15))
    #expect(second.values.map(\.count).reduce(0, +) == 40_000)
    for partition: Int32 in 0..<3 {
        let offsets = (first[partition] ?? []) + (second[partition] ?? [])
        #expect(offsets == Array(0..<Int64(offsets.count)), "partition \(partition) read out of order, twice or with gaps")
        #expect(offsets.count == 33_334 - (partition == 0 ? 0 : 1), "partition \(partition) count")
    }
}

/// A consumer whose rebalance callbacks append to a shared log.
private final class RecordingMember {
    let name: String
    var events: [String] = []
    private(set) var consumer: KafkaConsumer!

    init(name: String, topic: String, group: String) throws {
        self.name = name
        var config = try TestBroker.configuration
        config["group.id"] = group
        let listener = RebalanceListener(
            partitionsRevoked: { [unowned self] parts in events.append("revoke \(parts.map(\.partition).sorted())") },
            partitionsAssigned: { [unowned self] parts in events.append("assign \(parts.map(\.partition).sorted())"); return [:] }
        )
        consumer = try KafkaConsumer(configuration: config, listener: listener)
        try consumer.subscribe([topic])
    }

    func poll() throws { _ = try consumer.poll(maxRecords: 100, timeoutMs: 50) }
    var assigned: Set<Int32> { get throws { Set(try consumer.assignment().map(\.partition)) } }
}

@Test(.timeLimit(.minutes(2)))
func twoMembersSplitPartitionsAndTheSurvivorTakesOver() throws {
    let topic = try TestBroker.topic("split", partitions: 4, records: 40)
    let group = TestBroker.uniqueName("g-split")
    let clock = ContinuousClock()
    let a = try RecordingMember(name: "a", topic: topic, group: group)
    var deadline = clock.now + .seconds(30)
    while try a.assigned != [0, 1, 2, 3] && clock.now < deadline { try a.poll() }
    #expect(try a.assigned == [0, 1, 2, 3])

    let b = try RecordingMember(name: "b", topic: topic, group: group)
    deadline = clock.now + .seconds(40)
    func split() throws -> Bool {
        let (pa, pb) = (try a.assigned, try b.assigned)
        return !pa.isEmpty && !pb.isEmpty && pa.isDisjoint(with: pb) && pa.union(pb) == [0, 1, 2, 3]
    }
    while try !split() && clock.now < deadline { try a.poll(); try b.poll() }
    #expect(try split(), "the two members did not split the partitions: a \(a.events) b \(b.events)")
    let bPartitions = try b.assigned

    try b.consumer.close()
    deadline = clock.now + .seconds(40)
    while try a.assigned != [0, 1, 2, 3] && clock.now < deadline { try a.poll() }
    #expect(try a.assigned == [0, 1, 2, 3])

    // b was assigned its share and revoked it when it left; a went all -> share -> all,
    // each assignment revoked before the next (eager protocol).
    #expect(b.events == ["assign \(bPartitions.sorted())", "revoke \(bPartitions.sorted())"])
    #expect(a.events.first == "assign [0, 1, 2, 3]")
    #expect(a.events.last == "assign [0, 1, 2, 3]")
    for (i, event) in a.events.enumerated() {
        #expect(event.hasPrefix(i % 2 == 0 ? "assign" : "revoke"), "a's callbacks out of order: \(a.events)")
    }
    #expect(a.events.count >= 5)
    try a.consumer.close()
}
