import EddyKafka

/// The stamp of record `i` from `sendKeyedRecords`, in milliseconds since the Unix epoch.
func keyedRecordTimestamp(_ i: Int) -> Int64 { 1_700_000_000_000 + Int64(i) }

/// Sends `count` records to `topic` (record i: key `k<i>`, value `v<i>`, stamped
/// `keyedRecordTimestamp(i)`), spread by key over its partitions, then waits for their delivery.
func sendKeyedRecords(_ count: Int, to topic: String, with producer: KafkaProducer) throws {
    for i in 0..<count {
        try producer.send(topic: topic, key: Array("k\(i)".utf8), value: Array("v\(i)".utf8), timestampMs: keyedRecordTimestamp(i))
    }
    try producer.flush()
}
