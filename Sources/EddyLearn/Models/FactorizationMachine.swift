import EddyCodec
import EddyFeatures

/// A second-order factorization machine (Rendle, 2010) over (typically hashed) features,
/// learned through the `GradientTape`:
/// `y = b + w . x + 1/2 * sum_f [ (sum_i V[i,f] x_i)^2 - sum_i V[i,f]^2 x_i^2 ]`.
/// Each event reads and updates only the rows of `V` and entries of `w` of its active
/// features. Binary (log-loss on the score) or regression (squared error).
///
/// ```swift
/// var fm = FactorizationMachine(task: .binary, features: 1 << 18, factors: 8,
///                               optimizer: AdaGrad(learningRate: .constant(0.05)), seed: 1)
/// fm.learn(hasher.hash(event), label: 1)
/// ```
public struct FactorizationMachine<O: Optimizer>: GradientLearner {
    public let task: LearningTask
    /// `weights` (`features`), `factors` (`features x k`) and `bias`.
    public var parameters: Parameters<O>

    /// Latent factors start normal with standard deviation `initialScale`, from `seed`.
    public init(task: LearningTask = .binary, features: Int, factors: Int, optimizer: O,
                policy: GradientPolicy = GradientPolicy(), initialScale: Double = 0.1, seed: UInt64 = 0) {
        precondition(task == .binary || task == .regression, "a factorization machine is binary or a regressor")
        precondition(features > 0 && factors > 0, "sizes must be positive")
        self.task = task
        var rng = SplitMix64(seed: seed)
        let v = (0..<(features * factors)).map { _ in initialScale * rng.nextGaussian() }
        parameters = Parameters(names: ["weights", "factors", "bias"],
                                tensors: [Tensor(zeros: .vector(features)),
                                          Tensor(shape: .matrix(rows: features, cols: factors), scalars: v), Tensor(0)],
                                optimizer: optimizer, policy: policy)
    }

    public var inputWidth: Int { parameters.tensors[0].count }

    /// The raw score (logit for binary, value for regression).
    public func decision(_ x: FeatureVector) -> Double {
        precondition(x.fits(inputWidth), "feature positions outside the model's \(inputWidth) inputs")
        let w = parameters.tensors[0], v = parameters.tensors[1]
        let k = v.shape.cols
        var score = parameters.tensors[2].scalars[0]
        w.scalars.withUnsafeBufferPointer { score += GradientTape.sparseDot($0.baseAddress!, x) }
        v.scalars.withUnsafeBufferPointer { vp in
            for f in 0..<k {
                var s = 0.0, q = 0.0
                for i in 0..<x.count {
                    let row = x.isDense ? i : Int(x.indices[i])
                    let t = vp[row * k + f] * x.values[i]
                    s += t
                    q += t * t
                }
                score += 0.5 * (s * s - q)
            }
        }
        return score
    }

    public func predict(_ x: FeatureVector, into output: inout [Double]) {
        let score = decision(x)
        if task == .regression {
            if output.count != 1 { output = [0] }
            output[0] = score
        } else {
            if output.count != 2 { output = [0, 0] }
            let p = Kernels.sigmoid(score)
            output[0] = 1 - p
            output[1] = p
        }
    }

    public mutating func recordLoss(_ x: FeatureVector, label: Double) -> TensorHandle {
        let w = parameters.handle(0), v = parameters.handle(1), b = parameters.handle(2)
        let linear = parameters.tape.dot(w, x, plus: b)
        let rows = parameters.tape.gatherRows(v, x)
        let xv = parameters.tape.constant(valuesOf: x)
        let s = parameters.tape.matmul(xv, rows)
        let q = parameters.tape.matmul(parameters.tape.mul(xv, xv), parameters.tape.mul(rows, rows))
        let pairs = parameters.tape.sum(parameters.tape.sub(parameters.tape.mul(s, s), q))
        let score = parameters.tape.add(linear, parameters.tape.mul(parameters.tape.constant(0.5), pairs))
        return task == .binary
            ? parameters.tape.binaryLogLoss(logits: score, label: label)
            : parameters.tape.squaredError(score, target: label)
    }

    public static var stateKind: String { "factorization-machine" }

    public func writeConfiguration(to writer: inout StateWriter) { writer.write(task == .binary) }

    public init(configuration reader: inout StateReader, parameters: Parameters<O>) throws(StateError) {
        task = try reader.readBool() ? .binary : .regression
        let t = parameters.tensors
        guard t.count == 3, t[1].shape.rank == 2 else { throw .invalid("factorization machine variables") }
        try parameters.expect([.vector(t[0].count), .matrix(rows: t[0].count, cols: t[1].shape.cols), .scalar])
        self.parameters = parameters
    }
}
