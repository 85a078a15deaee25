import EddyCodec
import EddyFeatures

/// A `Learner` whose learning is one `GradientTape` step: it records its loss for an event
/// and its `Parameters` (variables, optimizer, policy) do the rest. Gives every such model the
/// validating entry point `learnChecked`, the refusing `learn`, and state blobs.
///
/// ```swift
/// var model = LinearRegression(features: 8, optimizer: Adam(learningRate: .constant(0.01)))
/// try model.learnChecked(x, label: 3.5)    // throws LearnError, learns nothing, on NaN/Inf
/// let copy = try LinearRegression<Adam>(stateBlob: model.stateBlob())
/// ```
public protocol GradientLearner: Learner {
    associatedtype Opt: Optimizer
    /// The variables, optimizer and policy.
    var parameters: Parameters<Opt> { get set }
    /// How many feature positions the model reads.
    var inputWidth: Int { get }
    /// The kind written into state blobs.
    static var stateKind: String { get }
    /// Whether `recordLoss` records the same graph for every event, with the event's features
    /// and label passed to the tape unchanged: then the step may be compiled from the first
    /// recording and replayed (`TapeProgram`). False unless the model says so.
    static var hasStaticGraph: Bool { get }
    /// Records the loss for one event on `parameters.tape`, whose variables are watched in slot
    /// order. The variables are lent to the tape meanwhile: read them through
    /// `parameters.handle(_:)`, not `parameters.tensors` (empty until the step ends).
    mutating func recordLoss(_ x: FeatureVector, label: Double) -> TensorHandle
    /// Appends the model's own configuration (not its parameters).
    func writeConfiguration(to writer: inout StateWriter)
    /// Rebuilds the model from its configuration and restored parameters.
    init(configuration reader: inout StateReader, parameters: Parameters<Opt>) throws(StateError)
}

extension GradientLearner {
    public static var hasStaticGraph: Bool { false }

    /// Learns from one event, or throws and learns nothing when the features are NaN/Inf or
    /// out of range, the label does not fit the task, or the gradient is not finite. A model
    /// with a static graph records its first event and replays the compiled step afterwards.
    public mutating func learnChecked(_ x: FeatureVector, label: Double) throws(LearnError) {
        do throws(LearnError) {
            if let program = parameters.program {
                // A non-finite feature value makes the score non-finite, and the replay refuses it
                // there (as `validate` would have: first the values, then positions and label).
                if let misfit = LearnError.misfit(x, label: label, task: task, width: inputWidth) {
                    throw LearnError.nonFiniteValue(in: x) ?? misfit
                }
                try parameters.replay(program, x, label: label)
                return
            }
            try LearnError.validate(x, label: label, task: task, width: inputWidth)
            _ = parameters.watchAll()
            let loss = recordLoss(x, label: label)
            if Self.hasStaticGraph && parameters.compilesStep {
                parameters.program = TapeProgram(compiling: parameters.tape, loss: loss)
            }
            try parameters.step(from: loss)
        } catch {
            parameters.refused += 1
            throw error
        }
    }

    /// Learns from one event; an event unfit to learn from is refused and counted in
    /// `parameters.refused`.
    public mutating func learn(_ x: FeatureVector, label: Double) {
        try? learnChecked(x, label: label)
    }

    /// The model with its optimizer state as a versioned, checksummed blob.
    public func stateBlob() -> [UInt8] {
        var writer = StateWriter(kind: Self.stateKind, version: 1)
        parameters.write(to: &writer)
        writeConfiguration(to: &writer)
        return writer.finish()
    }

    /// Restores a model from `stateBlob()`; a corrupted, truncated or foreign blob throws `StateError`.
    public init(stateBlob blob: [UInt8]) throws(StateError) {
        var reader = try StateReader(blob, kind: Self.stateKind, supported: 1...1)
        let parameters = try Parameters<Opt>(from: &reader)
        try self.init(configuration: &reader, parameters: parameters)
        try reader.finish()
    }
}
