import Foundation
import Yams

/// Reads one mapping of a pipeline file: typed values with defaults, `${VAR}` substitution,
/// line-numbered errors, and the resolved values recorded for the redacted snapshot. Every
/// key the parser asks for counts as allowed; `finish()` refuses the others.
struct SpecSection {
    let fileName: String
    let environment: [String: String]
    /// Dotted path of the section (`learner`, `source.properties`); empty for the top level.
    let path: String
    /// The line of the section's key (or of the document start).
    let line: Int
    private let pairs: [(key: String, line: Int, value: Node)]
    private(set) var asked: [String] = []
    private(set) var snapshot: [(String, ConfigSnapshot)] = []

    init(fileName: String, environment: [String: String], path: String, node: Node?, line: Int) throws(PipelineError) {
        self.fileName = fileName
        self.environment = environment
        self.path = path
        self.line = line
        var pairs: [(String, Int, Node)] = []
        if let node {
            guard case .mapping(let mapping) = node else {
                let what = path.isEmpty ? "the file" : "'\(path)'"
                throw .invalid(file: fileName, line: node.mark?.line ?? line, message: "\(what) must be a mapping of keys to values, not \(Self.describe(node))")
            }
            for (key, value) in mapping {
                guard case .scalar(let scalar) = key else {
                    throw .invalid(file: fileName, line: key.mark?.line ?? line, message: "keys must be plain names")
                }
                pairs.append((scalar.string, key.mark?.line ?? line, value))
            }
        }
        self.pairs = pairs
    }

    func fail(_ line: Int, _ message: String) -> PipelineError {
        .invalid(file: fileName, line: line, message: message)
    }

    /// The dotted name of `key` in this section, as messages show it.
    func name(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// Whether the file gives `key`.
    func has(_ key: String) -> Bool { pairs.contains { $0.key == key } }

    /// The line of `key`, or of the section when the key is absent.
    func lineOf(_ key: String) -> Int { pairs.first { $0.key == key }?.line ?? line }

    /// The keys the file gives, in file order.
    var givenKeys: [String] { pairs.map(\.key) }

    /// Marks `key` as allowed and returns its value node, if given.
    mutating func node(_ key: String) -> (node: Node, line: Int)? {
        if !asked.contains(key) { asked.append(key) }
        guard let pair = pairs.first(where: { $0.key == key }) else { return nil }
        if case .scalar(let s) = pair.value, s.tag.description == Tag.Name.null.rawValue || (s.style == .plain && ["", "~", "null", "Null", "NULL"].contains(s.string)) {
            return nil
        }
        return (pair.value, pair.value.mark?.line ?? pair.line)
    }

    mutating func record(_ key: String, _ value: ConfigSnapshot) {
        snapshot.removeAll { $0.0 == key }
        snapshot.append((key, value))
    }

    /// The text of a scalar with `${VAR}` replaced; `redacted` tells whether any was.
    func text(_ node: Node, line: Int, key: String, expected: String) throws(PipelineError) -> (text: String, redacted: Bool) {
        guard case .scalar(let scalar) = node else {
            throw fail(line, "'\(name(key))' must be \(expected), not \(Self.describe(node))")
        }
        return try substitute(scalar.string, line: line)
    }

    func substitute(_ text: String, line: Int) throws(PipelineError) -> (text: String, redacted: Bool) {
        guard text.contains("${") else { return (text, false) }
        var out = ""
        var rest = text[...]
        while let open = rest.range(of: "${") {
            out += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].firstIndex(of: "}") else {
                throw fail(line, "unterminated '${' in value '\(text)'")
            }
            let reference = rest[open.upperBound..<close]
            let variable: String, fallback: String?
            if let dash = reference.range(of: ":-") {
                variable = String(reference[..<dash.lowerBound])
                fallback = String(reference[dash.upperBound...])
            } else {
                variable = String(reference)
                fallback = nil
            }
            guard !variable.isEmpty, variable.allSatisfy({ $0 == "_" || $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
                throw fail(line, "'${\(reference)}' is not a valid environment variable reference")
            }
            guard let value = environment[variable] ?? fallback else {
                throw fail(line, "environment variable '\(variable)' is not set")
            }
            out += value
            rest = rest[rest.index(after: close)...]
        }
        out += rest
        return (out, true)
    }

    // MARK: Typed values

    mutating func string(_ key: String, default fallback: String? = nil) throws(PipelineError) -> String {
        guard let (node, line) = node(key) else {
            guard let fallback else { throw fail(self.line, "'\(name(key))' is required") }
            record(key, .string(fallback))
            return fallback
        }
        let (text, redacted) = try text(node, line: line, key: key, expected: "a string")
        record(key, redacted ? .redacted : .string(text))
        return text
    }

    mutating func optionalString(_ key: String) throws(PipelineError) -> String? {
        guard has(key) else {
            _ = node(key)
            record(key, .null)
            return nil
        }
        return try string(key, default: nil)
    }

    mutating func int(_ key: String, default fallback: Int?, in range: ClosedRange<Int> = Int.min...Int.max) throws(PipelineError) -> Int {
        guard let (node, line) = node(key) else {
            guard let fallback else { throw fail(self.line, "'\(name(key))' is required") }
            record(key, .integer(fallback))
            return fallback
        }
        let (text, redacted) = try text(node, line: line, key: key, expected: "an integer")
        guard let value = Int(text.replacingOccurrences(of: "_", with: "")) else {
            throw fail(line, "'\(name(key))' is '\(redacted ? "[redacted]" : text)', not an integer")
        }
        guard range.contains(value) else {
            throw fail(line, "'\(name(key))' is \(value); it must lie in \(Self.describe(range))")
        }
        record(key, redacted ? .redacted : .integer(value))
        return value
    }

    mutating func optionalInt(_ key: String, in range: ClosedRange<Int>) throws(PipelineError) -> Int? {
        guard node(key) != nil else {
            record(key, .null)
            return nil
        }
        return try int(key, default: nil, in: range)
    }

    mutating func double(_ key: String, default fallback: Double, where valid: (Double) -> Bool = { $0.isFinite },
                         expected: String = "a finite number") throws(PipelineError) -> Double {
        guard let (node, line) = node(key) else {
            record(key, .number(fallback))
            return fallback
        }
        let (text, redacted) = try text(node, line: line, key: key, expected: "a number")
        guard let value = Double(text.replacingOccurrences(of: "_", with: "")) else {
            throw fail(line, "'\(name(key))' is '\(redacted ? "[redacted]" : text)', not a number")
        }
        guard value.isFinite, valid(value) else {
            throw fail(line, "'\(name(key))' is \(redacted ? "[redacted]" : text); it must be \(expected)")
        }
        record(key, redacted ? .redacted : .number(value))
        return value
    }

    /// A positive limit, or nil when the value is the word `none` (no limit).
    mutating func limit(_ key: String, default fallback: Double) throws(PipelineError) -> Double? {
        if let (node, _) = node(key), case .scalar(let scalar) = node, scalar.string == "none" {
            record(key, .string("none"))
            return nil
        }
        return try double(key, default: fallback, where: { $0 > 0 }, expected: "a positive number or none")
    }

    mutating func bool(_ key: String, default fallback: Bool) throws(PipelineError) -> Bool {
        guard let (node, line) = node(key) else {
            record(key, .bool(fallback))
            return fallback
        }
        let (text, redacted) = try text(node, line: line, key: key, expected: "true or false")
        let value: Bool
        switch text.lowercased() {
        case "true", "yes", "on": value = true
        case "false", "no", "off": value = false
        default: throw fail(line, "'\(name(key))' is '\(redacted ? "[redacted]" : text)', not true or false")
        }
        record(key, redacted ? .redacted : .bool(value))
        return value
    }

    /// One of `allowed` (by raw value), refused with the list of choices.
    mutating func choice<E: RawRepresentable & CaseIterable>(_ key: String, default fallback: E?, what: String? = nil) throws(PipelineError) -> E
        where E.RawValue == String {
        let choices = E.allCases.map(\.rawValue).joined(separator: ", ")
        guard let (node, line) = node(key) else {
            guard let fallback else { throw fail(self.line, "'\(name(key))' is required; one of \(choices)") }
            record(key, .string(fallback.rawValue))
            return fallback
        }
        let (text, redacted) = try text(node, line: line, key: key, expected: "one of \(choices)")
        guard let value = E(rawValue: text) else {
            throw fail(line, "\(what ?? name(key)) '\(redacted ? "[redacted]" : text)' is not one of \(choices)")
        }
        record(key, redacted ? .redacted : .string(text))
        return value
    }

    /// A list of strings; a missing key gives `fallback` (or is required when it is nil).
    mutating func stringList(_ key: String, default fallback: [String]?, nonEmpty: Bool = false) throws(PipelineError) -> [String] {
        guard let (node, line) = node(key) else {
            guard let fallback else { throw fail(self.line, "'\(name(key))' is required (a list)") }
            record(key, .array(fallback.map { .string($0) }))
            return fallback
        }
        guard case .sequence(let sequence) = node else {
            throw fail(line, "'\(name(key))' must be a list, not \(Self.describe(node))")
        }
        var values: [String] = [], shown: [ConfigSnapshot] = []
        for item in sequence {
            let itemLine = item.mark?.line ?? line
            let (text, redacted) = try text(item, line: itemLine, key: key, expected: "a list of strings")
            values.append(text)
            shown.append(redacted ? .redacted : .string(text))
        }
        if nonEmpty && values.isEmpty { throw fail(line, "'\(name(key))' must not be empty") }
        record(key, .array(shown))
        return values
    }

    mutating func intList(_ key: String, default fallback: [Int], in range: ClosedRange<Int>) throws(PipelineError) -> [Int] {
        guard let (node, line) = node(key) else {
            record(key, .array(fallback.map { .integer($0) }))
            return fallback
        }
        guard case .sequence(let sequence) = node else {
            throw fail(line, "'\(name(key))' must be a list of integers, not \(Self.describe(node))")
        }
        var values: [Int] = []
        for item in sequence {
            let itemLine = item.mark?.line ?? line
            let (text, _) = try text(item, line: itemLine, key: key, expected: "a list of integers")
            guard let value = Int(text), range.contains(value) else {
                throw fail(itemLine, "'\(name(key))' holds '\(text)'; each must be an integer in \(Self.describe(range))")
            }
            values.append(value)
        }
        record(key, .array(values.map { .integer($0) }))
        return values
    }

    /// A nested mapping (empty when absent); record it back with `adopt(_:)`.
    mutating func section(_ key: String) throws(PipelineError) -> SpecSection {
        let found = node(key)
        return try SpecSection(fileName: fileName, environment: environment, path: name(key), node: found?.node,
                               line: found == nil ? line : lineOf(key))
    }

    /// Records a finished nested section under its key.
    mutating func adopt(_ child: SpecSection) {
        let key = String(child.path.split(separator: ".").last ?? "")
        record(key, .object(child.snapshot))
    }

    /// Refuses any key the parser did not ask for, listing the ones it did.
    func finish(note: String = "") throws(PipelineError) {
        for pair in pairs where !asked.contains(pair.key) {
            let place = path.isEmpty ? "unknown top-level key '\(pair.key)'" : "unknown key '\(pair.key)' in '\(path)' section\(note)"
            throw fail(pair.line, "\(place); allowed: \(asked.joined(separator: ", "))")
        }
    }

    static func describe(_ node: Node) -> String {
        switch node {
        case .scalar(let s): "'\(s.string)'"
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        }
    }

    static func describe(_ range: ClosedRange<Int>) -> String {
        if range.upperBound == Int.max { return "\(range.lowerBound) or more" }
        return "\(range.lowerBound)...\(range.upperBound)"
    }
}
