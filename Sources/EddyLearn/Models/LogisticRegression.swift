import EddyCodec
import EddyFeatures

/// Binary logistic regression learned through the `GradientTape`: `p = sigmoid(w . x + b)`,
/// log-loss from logits (or hinge loss, a linear SVM). Dense or hashed sparse features; with
/// sparse features each event costs what its active features cost.
///
/// By default it learns as River's `linear_model.LogisticRegression`: the intercept has its
/// own learning rate (`interceptLearningRate`, 0.01) applied to the loss gradient, and each
/// gradient entry is clipped to 1e12.
///
/// ```swift
/// var model = LogisticRegression(features: 20, optimizer: SGD(learningRate: .constant(0.01)))
/// var proba = [0.0, 0.0]
/// model.predict(x, into: &proba)       // [P(0), P(1)]
/// try model.learnChecked(x, label: 1)  // throws LearnError on NaN/Inf input
/// let blob = model.stateBlob()         // weights + optimizer state
/// ```
public struct LogisticRegression<O: Optimizer>: GradientLearner {
    /// How the linear score is penalised.
    public enum Loss: UInt8, Sendable {
        case log, hinge
    }

    public var task: LearningTask { .binary }
    public let loss: Loss
    /// `weights` (one per feature position) and `bias` (a scalar).
    public var parameters: Parameters<O>

    /// A model over `features` positions (2^k for hashed features).
    public init(features: Int, optimizer: O, loss: Loss = .log, policy: GradientPolicy = GradientPolicy(clipValue: 1e12),
                interceptLearningRate: LearningRate? = .constant(0.01)) {
        self.loss = loss
        parameters = Parameters(names: ["weights", "bias"],
                                tensors: [Tensor(zeros: .vector(features)), Tensor(0)],
                                optimizer: optimizer, policy: policy,
                                ownRates: interceptLearningRate.map { [1: $0] } ?? [:])
    }

    public var inputWidth: Int { parameters.tensors[0].count }
    /// The weights, one per feature position.
    public var weights: [Double] { parameters.tensors[0].scalars }
    /// The intercept.
    public var bias: Double { parameters.tensors[1].scalars[0] }

    /// The raw score `w . x + b`. Inlined, so a caller holding the model `inout` (the
    /// prequential loop) reads it in place instead of passing a copy of the whole model.
    @inline(__always)
    public func decision(_ x: FeatureVector) -> Double {
        precondition(x.fits(inputWidth), "feature positions outside the model's \(inputWidth) inputs")
        return parameters.tensors[0].scalars.withUnsafeBufferPointer { w in
            GradientTape.sparseDot(w.baseAddress!, x)
        } + parameters.tensors[1].scalars[0]
    }

    /// Inlined too: a caller holding the model `inout` otherwise copies it whole (some 400 bytes)
    /// before each call, as the argument of a non-mutating method.
    @inline(__always)
    public func predict(_ x: FeatureVector, into output: inout [Double]) {
        if output.count != 2 { output = [0, 0] }
        let p = Kernels.sigmoid(decision(x))
        output.withUnsafeMutableBufferPointer { out in
            out[0] = 1 - p
            out[1] = p
        }
    }

    @inline(__always)
    public mutating func recordLoss(_ x: FeatureVector, label: Double) -> TensorHandle {
        let w = parameters.handle(0), b = parameters.handle(1)
        let score = parameters.tape.dot(w, x, plus: b)
        return loss == .log
            ? parameters.tape.binaryLogLoss(logits: score, label: label)
            : parameters.tape.hinge(score, label: label)
    }

    public static var stateKind: String { "logistic-regression" }
    /// `recordLoss` records `loss(dot(w, x, plus: b), label)` for every event.
    public static var hasStaticGraph: Bool { true }

    public func writeConfiguration(to writer: inout StateWriter) { writer.write(loss.rawValue) }

    public init(configuration reader: inout StateReader, parameters: Parameters<O>) throws(StateError) {
        guard let loss = Loss(rawValue: try reader.readUInt8()) else { throw .invalid("unknown loss") }
        self.loss = loss
        self.parameters = parameters
        try parameters.expect([.vector(parameters.tensors.first?.count ?? 0), .scalar])
    }
}
