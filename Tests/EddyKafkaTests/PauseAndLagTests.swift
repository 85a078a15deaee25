import EddyKafka
import EddyKafkaTesting
import Testing

/// Lag is the partition's end minus the position; a paused partition delivers nothing until resumed.
@Test(.timeLimit(.minutes(1)))
func lagFollowsThePositionAndPauseStopsDelivery() throws {
    let reader = try SinglePartitionReader("lag", records: 100, from: 0)
    let (partition, consumer) = (reader.partition, reader.consumer)
    var next: Int64 = 0
    while next < 40 {
        for record in try consumer.poll(maxRecords: Int(40 - next), timeoutMs: 200) {
            #expect(record.offset == next)
            next += 1
        }
    }
    #expect(try consumer.positions([partition])[partition] == .some(40))
    #expect(try consumer.lag() == [partition: 60])

    try consumer.pause([partition])
    try reader.expectNothing(for: .seconds(1))

    try consumer.resume([partition])
    while next < 100 {
        for record in try consumer.poll(maxRecords: 100, timeoutMs: 200) {
            #expect(record.offset == next)
            next += 1
        }
    }
    #expect(try consumer.lag() == [partition: 0])
    try consumer.close()
}

/// A partition started at its end reads nothing, so librdkafka knows no position for it: the
/// lag then counts from where the caller started it, not from the (here absent) committed offset.
@Test(.timeLimit(.minutes(1)))
func lagOfAPartitionStartedAtItsEndCountsFromTheStart() throws {
    let reader = try SinglePartitionReader("lag-start", records: 100, from: 100)
    let (partition, consumer) = (reader.partition, reader.consumer)
    try reader.expectNothing(for: .seconds(2))
    #expect(try consumer.positions([partition])[partition] == .some(nil))
    #expect(try consumer.lag() == [partition: 100])
    #expect(try consumer.lag(started: [partition: 100]) == [partition: 0])
    try consumer.close()
}
