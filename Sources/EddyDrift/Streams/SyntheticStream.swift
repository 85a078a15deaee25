import EddyFeatures
import EddyLearn

/// An endless, seeded stream of labelled events, as River's `datasets.synth` generators. The
/// same seed gives the same stream bit for bit; generators draw from `PythonRandom`, so they
/// also give River's stream for River's seed.
///
/// ```swift
/// var sea = try SEA(variant: 0, seed: 42)
/// let (x, y) = sea.next()   // x: 3 dense features, y: 0 or 1
/// ```
public protocol SyntheticStream: Sendable {
    /// Number of dense features in every event.
    var featureCount: Int { get }
    /// What the label means.
    var task: LearningTask { get }
    /// The next event.
    mutating func next() -> (x: FeatureVector, y: Double)
}

extension SyntheticStream {
    /// The next `count` events.
    public mutating func take(_ count: Int) -> [(x: FeatureVector, y: Double)] {
        (0..<count).map { _ in next() }
    }
}

/// Why a generator could not be built.
///
/// ```swift
/// do { _ = try SEA(variant: 7) } catch { print(error) } // names the parameter and its range
/// ```
public struct StreamConfigurationError: Error, Equatable, Sendable, CustomStringConvertible {
    public let message: String
    public var description: String { message }

    static func check(_ ok: Bool, _ message: @autoclosure () -> String) throws(StreamConfigurationError) {
        if !ok { throw StreamConfigurationError(message: message()) }
    }
}
