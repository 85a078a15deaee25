/// Why an event was not learned from. Each case says exactly what was wrong, so a
/// dead-letter row explains itself; `code` is a short stable name for counting.
///
/// ```swift
/// switch decoder.decode(bytes) {
/// case .success(let event): learn(event)
/// case .failure(let error): deadLetter(reason: error.description)  // "missing feature 'x3'"
/// }
/// ```
public enum DecodeError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The message is larger than `source.max_message_bytes`.
    case oversize(bytes: Int, limit: Int)
    /// The bytes are not a JSON object (or a CSV line) at `offset`.
    case malformed(format: String, offset: Int, reason: String)
    /// The label field is absent (or null, or empty in CSV).
    case missingLabel(field: String)
    /// The label is not one of the configured classes (for binary without classes: 0, 1, true, false).
    case labelNotInClasses(label: String, classes: [String])
    /// A regression label that is not a number.
    case labelNotANumber(label: String)
    /// A numeric or vector feature field is absent (or null, or empty in CSV).
    case missingFeature(String)
    /// A field holds a value of the wrong type.
    case wrongType(field: String, expected: String, found: String)
    /// A feature or label is NaN or infinite.
    case nonFinite(field: String, value: Double)
    /// A feature value lies beyond `features.max_abs_value`.
    case outOfRange(field: String, value: Double, limit: Double)
    /// The vector field holds the wrong number of values.
    case vectorLength(field: String, count: Int, expected: Int)
    /// A CSV line has the wrong number of columns.
    case columnCount(found: Int, expected: Int)

    /// A short stable name for the kind of problem (`malformed`, `missing_label`, ...).
    public var code: String {
        switch self {
        case .oversize: "oversize"
        case .malformed: "malformed"
        case .missingLabel: "missing_label"
        case .labelNotInClasses: "label_not_in_classes"
        case .labelNotANumber: "label_not_a_number"
        case .missingFeature: "missing_feature"
        case .wrongType: "wrong_type"
        case .nonFinite: "non_finite"
        case .outOfRange: "out_of_range"
        case .vectorLength: "vector_length"
        case .columnCount: "column_count"
        }
    }

    public var description: String {
        switch self {
        case .oversize(let bytes, let limit): "message of \(bytes) bytes is larger than max_message_bytes (\(limit))"
        case .malformed(let format, let offset, let reason): "malformed \(format) at byte \(offset): \(reason)"
        case .missingLabel(let field): "missing label '\(field)'"
        case .labelNotInClasses(let label, let classes): "label '\(label)' is not one of \(classes.joined(separator: ", "))"
        case .labelNotANumber(let label): "label '\(label)' is not a number"
        case .missingFeature(let field): "missing feature '\(field)'"
        case .wrongType(let field, let expected, let found): "feature '\(field)' is not \(expected) (found \(found))"
        case .nonFinite(let field, let value): "feature '\(field)' is \(value)"
        case .outOfRange(let field, let value, let limit): "feature '\(field)' is \(value), beyond max_abs_value \(limit)"
        case .vectorLength(let field, let count, let expected): "feature '\(field)' holds \(count) numbers; expected \(expected)"
        case .columnCount(let found, let expected): "CSV line has \(found) columns; expected \(expected)"
        }
    }
}
