/// Why a run stopped on its own.
///
/// ```swift
/// do { _ = try runner.run(options: options, stop: stop) }
/// catch let error as RunnerError { print(error) }   // "the model's weights are NaN or infinite ..."
/// ```
public enum RunnerError: Error, CustomStringConvertible {
    /// The model is broken and there is no good version to go back to; nothing was saved.
    case brokenModel(eventsSeen: Int)

    public var description: String {
        switch self {
        case .brokenModel(let events):
            "the model's weights or scaler are NaN or infinite after \(events) events and no earlier version is good to go back to; nothing was saved past the last version. Lower the learning rate, clip gradients, or keep features.max_abs_value"
        }
    }
}
