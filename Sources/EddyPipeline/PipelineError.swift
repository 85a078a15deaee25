/// Why a pipeline file was refused or a learner could not be built from it. Messages name the
/// file and line, as a compiler does, and list the allowed choices.
///
/// ```swift
/// do { _ = try PipelineSpec.load(path: "pipelines/demo.yaml", environment: [:]) }
/// catch { print(error) }  // demo.yaml:14: unknown key 'lerner' in 'learner' section; allowed: kind, ...
/// ```
public enum PipelineError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file could not be read.
    case unreadable(path: String, reason: String)
    /// The file is not valid YAML, or a key or value in it is refused.
    case invalid(file: String, line: Int, message: String)
    /// A learner's state blob does not fit the pipeline's learner.
    case stateRefused(String)

    /// The line the problem is on, when there is one.
    public var line: Int? {
        if case .invalid(_, let line, _) = self { return line }
        return nil
    }

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): "\(path): cannot read the pipeline file: \(reason)"
        case .invalid(let file, let line, let message): "\(file):\(line): \(message)"
        case .stateRefused(let reason): "the learner state does not fit this pipeline: \(reason)"
        }
    }
}
