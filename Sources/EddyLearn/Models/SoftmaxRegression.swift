import EddyCodec
import EddyFeatures

/// Multiclass logistic (softmax) regression through the `GradientTape`:
/// `p = softmax(x W + b)` with softmax cross-entropy. `W` is `features x classes`, so a
/// hashed sparse event reads and updates only the rows of its active features.
///
/// ```swift
/// var model = SoftmaxRegression(features: 4, classes: 3, optimizer: Adam(learningRate: .constant(0.05)))
/// model.learn(x, label: 2)
/// var proba = [Double](repeating: 0, count: 3)
/// model.predict(x, into: &proba)
/// ```
public struct SoftmaxRegression<O: Optimizer>: GradientLearner {
    public let task: LearningTask
    /// `weights` (`features x classes`) and `bias` (`classes`).
    public var parameters: Parameters<O>

    public init(features: Int, classes: Int, optimizer: O, policy: GradientPolicy = GradientPolicy()) {
        precondition(classes >= 2, "softmax regression needs at least 2 classes")
        task = .multiclass(classes: classes)
        parameters = Parameters(names: ["weights", "bias"],
                                tensors: [Tensor(zeros: .matrix(rows: features, cols: classes)), Tensor(zeros: .vector(classes))],
                                optimizer: optimizer, policy: policy)
    }

    public var inputWidth: Int { parameters.tensors[0].shape.rows }

    public func predict(_ x: FeatureVector, into output: inout [Double]) {
        let classes = parameters.tensors[1].count
        if output.count != classes { output = [Double](repeating: 0, count: classes) }
        output.withUnsafeMutableBufferPointer { out in
            Dense.affine(x, parameters.tensors[0], parameters.tensors[1], into: out.baseAddress!)
            Kernels.softmax(UnsafePointer(out.baseAddress!), into: out.baseAddress!, count: classes)
        }
    }

    public mutating func recordLoss(_ x: FeatureVector, label: Double) -> TensorHandle {
        let logits = Dense.record(x, weights: parameters.handle(0), bias: parameters.handle(1), on: &parameters.tape)
        return parameters.tape.softmaxCrossEntropy(logits: logits, labels: parameters.tape.constant(label))
    }

    public static var stateKind: String { "softmax-regression" }

    public func writeConfiguration(to writer: inout StateWriter) {}

    public init(configuration reader: inout StateReader, parameters: Parameters<O>) throws(StateError) {
        guard parameters.tensors.count == 2, parameters.tensors[1].count >= 2 else { throw .invalid("softmax regression variables") }
        let shape = parameters.tensors[0].shape
        try parameters.expect([.matrix(rows: shape.rows, cols: parameters.tensors[1].count), .vector(parameters.tensors[1].count)])
        task = .multiclass(classes: parameters.tensors[1].count)
        self.parameters = parameters
    }
}

/// The affine map `x W + b` shared by softmax regression and the MLP's first layer, on the
/// tape and forward-only. `W` is `inputs x outputs`; a sparse `x` reads only its rows.
enum Dense {
    static func record(_ x: FeatureVector, weights: TensorHandle, bias: TensorHandle, on tape: inout GradientTape) -> TensorHandle {
        let xs = tape.constant(valuesOf: x)
        // A full dense row multiplies the whole matrix; otherwise only the active rows.
        let rows = x.isDense && x.count == tape.shape(of: weights).rows ? weights : tape.gatherRows(weights, x)
        return tape.add(tape.matmul(xs, rows), bias)
    }

    static func affine(_ x: FeatureVector, _ w: Tensor, _ b: Tensor, into out: UnsafeMutablePointer<Double>) {
        precondition(x.fits(w.shape.rows), "feature positions outside the model's \(w.shape.rows) inputs")
        let cols = w.shape.cols
        for c in 0..<cols { out[c] = b.scalars[c] }
        w.scalars.withUnsafeBufferPointer { wp in
            for k in 0..<x.count {
                let row = x.isDense ? k : Int(x.indices[k])
                let v = x.values[k]
                for c in 0..<cols { out[c] += v * wp[row * cols + c] }
            }
        }
    }
}
