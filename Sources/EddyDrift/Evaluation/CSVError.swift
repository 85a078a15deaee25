/// Why a CSV file could not be read into labelled rows; each case names the file position.
///
/// ```swift
/// do { _ = try CSVDataset(text: "a,b\n1,x\n", kind: .regression) }
/// catch { print(error) } // line 2, column 'b': 'x' is not a number
/// ```
public enum CSVError: Error, Equatable, Sendable, CustomStringConvertible {
    case unreadable(path: String)
    case noHeader
    case unknownLabel(name: String, columns: [String])
    case tooFewColumns(found: Int)
    case wrongFieldCount(line: Int, expected: Int, found: Int)
    case notANumber(line: Int, column: String, value: String)
    case unterminatedQuote(line: Int)

    public var description: String {
        switch self {
        case .unreadable(let path): "cannot read '\(path)'"
        case .noHeader: "the CSV file is empty: it needs a header line naming the columns"
        case .unknownLabel(let name, let columns): "no column '\(name)' for the label; columns: \(columns.joined(separator: ", "))"
        case .tooFewColumns(let found): "the CSV file has \(found) column(s); it needs at least one feature and the label"
        case .wrongFieldCount(let line, let expected, let found): "line \(line): \(found) fields, the header has \(expected)"
        case .notANumber(let line, let column, let value): "line \(line), column '\(column)': '\(value)' is not a number"
        case .unterminatedQuote(let line): "line \(line): a quoted field is not closed"
        }
    }
}
