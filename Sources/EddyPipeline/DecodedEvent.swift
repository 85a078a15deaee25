import EddyFeatures

/// One decoded event: its features and label. Reuse one value across events
/// (`EventDecoder.decode(_:into:)`) and decoding allocates nothing per event.
///
/// ```swift
/// var event = DecodedEvent()
/// try decoder.decode(bytes, into: &event)
/// model.predict(event.features, into: &proba)
/// ```
public struct DecodedEvent: Sendable, Equatable {
    /// The features as the learner sees them (see `EventDecoder` for the layout).
    public var features = FeatureVector(dense: [])
    /// 0/1 for binary, the class index for multiclass, the value for regression.
    public var label = 0.0
    /// The numeric fields' raw values, before scaling (positions 0..<n).
    public internal(set) var numeric = FeatureVector(dense: [])

    public init() {}
}
