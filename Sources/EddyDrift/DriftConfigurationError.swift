import EddyCodec

/// Why a detector could not be built from the given parameters.
///
/// ```swift
/// do { _ = try ADWIN(delta: 2) }
/// catch let error as DriftConfigurationError { print(error) } // names the parameter and its range
/// ```
public enum DriftConfigurationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A parameter lies outside the values the detector accepts.
    case outOfRange(detector: String, parameter: String, value: String, allowed: String)
    /// No detector of this name exists.
    case unknownDetector(name: String, allowed: [String])
    /// The detector has no parameter of this name.
    case unknownParameter(detector: String, name: String, allowed: [String])
    /// A parameter's value could not be read as the type it needs.
    case badValue(detector: String, parameter: String, value: String, expected: String)

    public var description: String {
        switch self {
        case .outOfRange(let detector, let parameter, let value, let allowed):
            "\(detector): \(parameter)=\(value) is out of range; allowed: \(allowed)"
        case .unknownDetector(let name, let allowed):
            "unknown detector '\(name)'; allowed: \(allowed.joined(separator: ", "))"
        case .unknownParameter(let detector, let name, let allowed):
            "\(detector) has no parameter '\(name)'; allowed: \(allowed.joined(separator: ", "))"
        case .badValue(let detector, let parameter, let value, let expected):
            "\(detector): \(parameter)=\(value) is not \(expected)"
        }
    }

    static func check(_ ok: Bool, _ detector: String, _ parameter: String, _ value: Any, _ allowed: String) throws(DriftConfigurationError) {
        if !ok { throw .outOfRange(detector: detector, parameter: parameter, value: "\(value)", allowed: allowed) }
    }
}

/// Builds a detector from parameters read out of a state blob; parameters no detector would
/// accept mean the blob is invalid.
func restoring<T>(_ build: () throws(DriftConfigurationError) -> T) throws(StateError) -> T {
    do { return try build() } catch { throw .invalid(error.description) }
}
