import EddyKafka
import EddyKafkaTesting
import Testing

/// A poll hands over the records already fetched at once: it never waits out its timeout to
/// fill a batch larger than what the partition holds.
@Test(.timeLimit(.minutes(1)))
func pollReturnsFetchedRecordsWithoutWaitingForAFullBatch() throws {
    let consumer = try SinglePartitionReader("pollwait", records: 10, from: 0).consumer
    let clock = ContinuousClock()
    let start = clock.now
    var next: Int64 = 0
    while next < 10 {
        for record in try consumer.poll(maxRecords: 1_000, timeoutMs: 10_000) {
            #expect(record.offset == next)
            next += 1
        }
    }
    // Waiting for a full batch would take the whole 10 s timeout.
    #expect(clock.now - start < .seconds(5))
    try consumer.close()
}
