import Foundation

/// The JSON columns of `model_versions`: `offsets` and `metrics`, with sorted keys so the
/// same content is always the same text. Non-finite metric values are written as the strings
/// "NaN", "Infinity" and "-Infinity", which JSON has no numbers for.
enum JSONText {
    private struct Offset: Codable {
        var topic: String
        var partition: Int32
        var nextOffset: Int64

        enum CodingKeys: String, CodingKey {
            case topic, partition
            case nextOffset = "next_offset"
        }
    }

    private static let nonFinite = (positive: "Infinity", negative: "-Infinity", nan: "NaN")

    static func offsets(_ partitions: [PartitionProgress]) throws(StoreError) -> String {
        let items = partitions.map { Offset(topic: $0.topic, partition: $0.partition, nextOffset: $0.nextOffset) }
        return try encode(items, what: "offsets")
    }

    static func metrics(_ metrics: [String: Double]) throws(StoreError) -> String {
        try encode(metrics, what: "metrics")
    }

    static func readMetrics(_ text: String, id: Int64) throws(StoreError) -> [String: Double] {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: nonFinite.positive, negativeInfinity: nonFinite.negative, nan: nonFinite.nan)
        do {
            return try decoder.decode([String: Double].self, from: Data(text.utf8))
        } catch {
            throw .corruptRow(table: "model_versions", id: id, reason: "metrics is not a JSON object of numbers")
        }
    }

    private static func encode(_ value: some Encodable, what: String) throws(StoreError) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: nonFinite.positive, negativeInfinity: nonFinite.negative, nan: nonFinite.nan)
        do {
            return String(decoding: try encoder.encode(value), as: UTF8.self)
        } catch {
            throw .invalidCheckpoint("\(what) cannot be written as JSON: \(error)")
        }
    }
}
