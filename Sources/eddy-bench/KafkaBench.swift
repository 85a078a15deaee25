// `eddy-bench kafka BROKERS TOPIC RECORDS`: reads RECORDS records from every partition of
// TOPIC, from the beginning, through EddyKafka's consumer (assign mode, batch polls), touching
// every value byte. Prints `records=N bytes=B seconds=S rps=R`, timed from the start of the
// benchmark (client creation and broker connection included) to the last record; closing the
// clients is not counted (librdkafka's destroy waits about a second for its threads).
import EddyKafka
import Foundation

func runKafkaBench(_ arguments: [String]) throws {
    guard arguments.count == 3, let expected = Int(arguments[2]) else {
        throw BenchUsage("eddy-bench kafka BROKERS TOPIC RECORDS")
    }
    let (brokers, topic) = (arguments[0], arguments[1])
    let start = DispatchTime.now().uptimeNanoseconds
    let config = KafkaConfiguration(brokers: brokers)
    let admin = try KafkaAdmin(configuration: config)
    let partitions = try admin.describeTopic(topic).partitions.map(\.id)
    let consumer = try KafkaConsumer(configuration: config)
    var from: [TopicPartition: Int64?] = [:]
    for p in partitions { from[TopicPartition(topic: topic, partition: p)] = 0 }
    try consumer.assign(from)
    var records = 0
    var bytes = 0
    var checksum: UInt64 = 0
    while records < expected {
        let batch = try consumer.poll(maxRecords: 10_000, timeoutMs: 500)
        for record in batch {
            records += 1
            bytes += record.value.count
            for byte in record.value { checksum &+= UInt64(byte) }
        }
    }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    print("records=\(records) bytes=\(bytes) checksum=\(checksum) seconds=\(seconds) rps=\(Double(records) / seconds)")
    try consumer.close()
}

/// A benchmark called with the wrong arguments; the message is its usage line.
struct BenchUsage: Error, CustomStringConvertible {
    let description: String
    init(_ usage: String) { description = "usage: \(usage)" }
}
