import EddyFeatures
import EddyLearn
import Foundation

/// A CSV file with a header, read into labelled rows for prequential evaluation (`eddy
/// evaluate`): the label is the last column unless named; every other column is a numeric
/// feature. For classification, class labels (any text) become indices 0, 1, … in order of
/// first appearance; for regression the label must be numeric. Fields may be double-quoted.
///
/// ```swift
/// let data = try CSVDataset(contentsOf: "elec.csv", label: "class", kind: .classification)
/// data.classes            // ["UP", "DOWN"] — index 0 is "UP"
/// data.rows[0].x.values   // the first row's features
/// data.task               // .binary
/// ```
public struct CSVDataset: Sendable {
    /// Whether the label names a class or is a value.
    public enum LabelKind: Sendable {
        case classification, regression
    }

    public let featureNames: [String]
    public let labelName: String
    /// Class names by index (empty for regression).
    public let classes: [String]
    public let rows: [(x: FeatureVector, y: Double)]
    public let kind: LabelKind

    /// The learning task the labels describe.
    public var task: LearningTask {
        switch kind {
        case .regression: .regression
        case .classification: classes.count <= 2 ? .binary : .multiclass(classes: classes.count)
        }
    }

    public init(contentsOf path: String, label: String? = nil, kind: LabelKind) throws(CSVError) {
        guard let data = FileManager.default.contents(atPath: path) else { throw .unreadable(path: path) }
        try self.init(text: String(decoding: data, as: UTF8.self), label: label, kind: kind)
    }

    public init(text: String, label: String? = nil, kind: LabelKind) throws(CSVError) {
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated().makeIterator()
        var header: [String]?
        while let (i, line) = lines.next() {
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty { continue }
            header = try Self.fields(trimmed, line: i + 1)
            break
        }
        guard let columns = header else { throw .noHeader }
        guard columns.count >= 2 else { throw .tooFewColumns(found: columns.count) }
        let labelIndex: Int
        if let label {
            guard let index = columns.firstIndex(of: label) else { throw .unknownLabel(name: label, columns: columns) }
            labelIndex = index
        } else {
            labelIndex = columns.count - 1
        }
        var classIndex: [String: Int] = [:]
        var classes: [String] = []
        var rows: [(x: FeatureVector, y: Double)] = []
        while let (i, line) = lines.next() {
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty { continue }
            let fields = try Self.fields(trimmed, line: i + 1)
            guard fields.count == columns.count else {
                throw .wrongFieldCount(line: i + 1, expected: columns.count, found: fields.count)
            }
            var features: [Double] = []
            features.reserveCapacity(columns.count - 1)
            for (c, field) in fields.enumerated() where c != labelIndex {
                guard let v = Double(field) else { throw .notANumber(line: i + 1, column: columns[c], value: field) }
                features.append(v)
            }
            let y: Double
            switch kind {
            case .regression:
                guard let v = Double(fields[labelIndex]) else {
                    throw .notANumber(line: i + 1, column: columns[labelIndex], value: fields[labelIndex])
                }
                y = v
            case .classification:
                if let index = classIndex[fields[labelIndex]] {
                    y = Double(index)
                } else {
                    classIndex[fields[labelIndex]] = classes.count
                    y = Double(classes.count)
                    classes.append(fields[labelIndex])
                }
            }
            rows.append((FeatureVector(dense: features), y))
        }
        self.featureNames = columns.enumerated().filter { $0.offset != labelIndex }.map(\.element)
        self.labelName = columns[labelIndex]
        self.classes = classes
        self.rows = rows
        self.kind = kind
    }

    /// Splits one line on commas, honouring double quotes ("" inside quotes is a quote).
    private static func fields(_ line: String, line number: Int) throws(CSVError) -> [String] {
        var fields: [String] = []
        var current = ""
        var quoted = false
        var chars = line.makeIterator()
        while let ch = chars.next() {
            if quoted {
                if ch == "\"" {
                    var lookahead = chars
                    if lookahead.next() == "\"" {
                        current.append("\"")
                        chars = lookahead
                    } else {
                        quoted = false
                    }
                } else {
                    current.append(ch)
                }
            } else if ch == "\"" {
                quoted = true
            } else if ch == "," {
                fields.append(current.trimmingCharacters(in: .whitespaces))
                current = ""
            } else {
                current.append(ch)
            }
        }
        guard !quoted else { throw .unterminatedQuote(line: number) }
        fields.append(current.trimmingCharacters(in: .whitespaces))
        return fields
    }
}
