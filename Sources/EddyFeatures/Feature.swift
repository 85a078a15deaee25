/// One named raw feature of an event, before hashing or encoding.
///
/// ```swift
/// let event: [Feature] = [.numeric("amount", 12.5), .categorical("country", "NZ")]
/// ```
public enum Feature: Sendable, Hashable {
    /// A number, kept as its value at the feature's position.
    case numeric(String, Double)
    /// A category, encoded as a 1 at the position of `name=value`.
    case categorical(String, String)
}
