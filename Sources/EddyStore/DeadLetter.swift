import Foundation

/// A message that was not learned from, and why. Only the first ``DeadLetter/excerptLength``
/// bytes of the payload are kept (stored as text), together with the payload's full size.
///
/// ```swift
/// let letter = DeadLetter(topic: "payments", partition: 2, offset: 9_120, reason: "label 'amount' is NaN",
///                         payload: Array(#"{"amount": NaN}"#.utf8), at: Date())
/// ```
public struct DeadLetter: Sendable, Equatable {
    /// How many payload bytes are kept.
    public static let excerptLength = 256

    public var topic: String
    public var partition: Int32
    public var offset: Int64
    public var reason: String
    /// The first ``excerptLength`` bytes of the payload.
    public var payload: [UInt8]
    /// The size of the whole payload in bytes.
    public var payloadSize: Int
    public var at: Date

    /// Keeps the first ``excerptLength`` bytes of `payload` (any byte collection, e.g. a buffer
    /// pointing into a Kafka message) and its full size.
    public init(topic: String, partition: Int32, offset: Int64, reason: String, payload: some Collection<UInt8>, at: Date) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.reason = reason
        self.payload = Array(payload.prefix(Self.excerptLength))
        self.payloadSize = payload.count
        self.at = at
    }

    /// The kept bytes as text, invalid UTF-8 replaced by U+FFFD; what `dead_letters.payload_excerpt` holds.
    public var payloadExcerpt: String {
        String(decoding: payload, as: UTF8.self)
    }
}
