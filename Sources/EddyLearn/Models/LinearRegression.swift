import EddyCodec
import EddyFeatures

/// Linear regression learned through the `GradientTape`: `y = w . x + b` with squared or
/// Huber loss. Like River's `linear_model.LinearRegression` by default: the intercept has its
/// own learning rate (0.01) and gradient entries are clipped to 1e12.
///
/// ```swift
/// var model = LinearRegression(features: 8, optimizer: SGD(learningRate: .constant(0.01)), loss: .huber(delta: 1))
/// model.learn(x, label: 2.5)
/// model.predictLabel(x)   // the predicted value
/// ```
public struct LinearRegression<O: Optimizer>: GradientLearner {
    /// The regression loss.
    public enum Loss: Sendable, Equatable {
        case squared
        case huber(delta: Double)
    }

    public var task: LearningTask { .regression }
    public let loss: Loss
    /// `weights` and `bias`.
    public var parameters: Parameters<O>

    public init(features: Int, optimizer: O, loss: Loss = .squared, policy: GradientPolicy = GradientPolicy(clipValue: 1e12),
                interceptLearningRate: LearningRate? = .constant(0.01)) {
        if case .huber(let delta) = loss { precondition(delta > 0, "Huber delta must be positive") }
        self.loss = loss
        parameters = Parameters(names: ["weights", "bias"],
                                tensors: [Tensor(zeros: .vector(features)), Tensor(0)],
                                optimizer: optimizer, policy: policy,
                                ownRates: interceptLearningRate.map { [1: $0] } ?? [:])
    }

    public var inputWidth: Int { parameters.tensors[0].count }
    public var weights: [Double] { parameters.tensors[0].scalars }
    public var bias: Double { parameters.tensors[1].scalars[0] }

    public func predict(_ x: FeatureVector, into output: inout [Double]) {
        if output.count != 1 { output = [0] }
        precondition(x.fits(inputWidth), "feature positions outside the model's \(inputWidth) inputs")
        output[0] = parameters.tensors[0].scalars.withUnsafeBufferPointer { w in
            GradientTape.sparseDot(w.baseAddress!, x)
        } + parameters.tensors[1].scalars[0]
    }

    public mutating func recordLoss(_ x: FeatureVector, label: Double) -> TensorHandle {
        let w = parameters.handle(0), b = parameters.handle(1)
        let prediction = parameters.tape.dot(w, x, plus: b)
        switch loss {
        case .squared: return parameters.tape.squaredError(prediction, target: label)
        case .huber(let delta): return parameters.tape.huber(prediction, target: label, delta: delta)
        }
    }

    public static var stateKind: String { "linear-regression" }
    /// `recordLoss` records `loss(dot(w, x, plus: b), label)` for every event.
    public static var hasStaticGraph: Bool { true }

    public func writeConfiguration(to writer: inout StateWriter) {
        switch loss {
        case .squared: writer.write(UInt8(0))
        case .huber(let delta): writer.write(UInt8(1)); writer.write(delta)
        }
    }

    public init(configuration reader: inout StateReader, parameters: Parameters<O>) throws(StateError) {
        switch try reader.readUInt8() {
        case 0: loss = .squared
        case 1:
            let delta = try reader.readDouble()
            guard delta > 0 else { throw .invalid("Huber delta \(delta)") }
            loss = .huber(delta: delta)
        case let tag: throw .invalid("unknown regression loss \(tag)")
        }
        self.parameters = parameters
        try parameters.expect([.vector(parameters.tensors.first?.count ?? 0), .scalar])
    }
}
