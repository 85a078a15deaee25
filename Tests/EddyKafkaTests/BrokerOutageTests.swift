import EddyKafka
import EddyKafkaTesting
import Foundation
import Testing

/// librdkafka's mock cluster takes its only broker down for 10 s in the middle of a group
/// consumer's run. The consumer must keep polling without throwing, report the outage as
/// retriable errors, and end with every record processed exactly once: nothing committed is
/// seen again, nothing is skipped.
@Test(.timeLimit(.minutes(2)))
func consumerRidesOutATenSecondBrokerOutage() throws {
    let cluster = try MockKafkaCluster(brokers: 1)
    let topic = "outage"
    try cluster.createTopic(topic, partitions: 2)
    let total = 20_000
    var config = KafkaConfiguration(brokers: cluster.bootstrapServers)
    let producer = try KafkaProducer(configuration: config)
    for i in 0..<total {
        try producer.send(topic: topic, partition: Int32(i % 2), value: Array(String(i).utf8))
    }
    try producer.flush()
    #expect(producer.deliveredCount == total)

    config["group.id"] = "outage-group"
    config["max.partition.fetch.bytes"] = "2048"   // small fetches and a small prefetch queue,
    config["queued.max.messages.kbytes"] = "16"    // so that the outage lands mid-stream
    let consumer = try KafkaConsumer(configuration: config)
    try consumer.subscribe([topic])

    var committed: [Int32: Int64] = [0: 0, 1: 0]
    var pending: [TopicPartition: Int64] = [:]
    var seen = Set<Int>()
    var repeats = 0
    var reported: [KafkaError] = []
    var outageStart: ContinuousClock.Instant?
    var outageOver = false
    let clock = ContinuousClock()
    let deadline = clock.now + .seconds(90)

    while (seen.count < total || !pending.isEmpty) && clock.now < deadline {
        if outageStart == nil && seen.count >= total / 4 {
            cluster.setBrokerDown(1)
            outageStart = clock.now
        }
        if let start = outageStart, !outageOver, clock.now - start >= .seconds(10) {
            cluster.setBrokerUp(1)
            outageOver = true
        }
        let batch = try consumer.poll(maxRecords: 500, timeoutMs: 100)
        for record in batch {
            #expect(record.offset >= committed[record.partition]!, "a committed record came back")
            if !seen.insert(Int(String(decoding: record.value, as: UTF8.self))!).inserted { repeats += 1 }
            pending[record.topicPartition] = record.offset + 1
        }
        reported += consumer.takeErrors()
        do {
            try consumer.commit(pending, timeoutMs: 500)
            for (tp, next) in pending { committed[tp.partition] = next }
            pending = [:]
        } catch {
            // A retriable failure keeps the offsets pending; they are committed once the broker is back.
            guard error.isRetriable else { throw error }
            reported.append(error)
        }
    }
    #expect(outageOver)
    #expect(seen.count == total)
    #expect(repeats == 0)
    #expect(committed == [0: Int64(total / 2), 1: Int64(total / 2)])
    #expect(!reported.isEmpty, "the outage was not reported")
    #expect(reported.allSatisfy { !$0.isFatal })
    try consumer.close()
}
