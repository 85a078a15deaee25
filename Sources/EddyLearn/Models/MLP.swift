import Foundation
import EddyCodec
import EddyFeatures

/// A hidden-layer nonlinearity.
public enum Activation: UInt8, Sendable {
    case identity, relu, tanh, sigmoid
}

/// A multilayer perceptron learned through the `GradientTape`: hidden layers
/// `h = act(h_prev W + b)` of configurable widths and activations, then an output layer
/// fitted to the task (one logit with log-loss for binary, softmax cross-entropy for
/// multiclass, squared error for regression). Weights start Glorot-uniform from `seed`.
///
/// ```swift
/// var mlp = MLP(task: .binary, inputs: 20, hidden: [32], activation: .relu,
///               optimizer: Adam(learningRate: .constant(0.01)), seed: 7)
/// mlp.learn(x, label: 1)
/// ```
public struct MLP<O: Optimizer>: GradientLearner {
    public let task: LearningTask
    /// The activation of each hidden layer.
    public let activations: [Activation]
    /// `w1`, `b1`, `w2`, `b2`, ...; `wK` is `inputs x outputs` of layer K.
    public var parameters: Parameters<O>

    /// An MLP with hidden layers of the given widths, all with `activation`.
    public init(task: LearningTask, inputs: Int, hidden: [Int], activation: Activation = .relu, optimizer: O,
                policy: GradientPolicy = GradientPolicy(), seed: UInt64 = 0) {
        self.init(task: task, inputs: inputs, hidden: hidden, activations: hidden.map { _ in activation },
                  optimizer: optimizer, policy: policy, seed: seed)
    }

    /// An MLP with one activation per hidden layer.
    public init(task: LearningTask, inputs: Int, hidden: [Int], activations: [Activation], optimizer: O,
                policy: GradientPolicy = GradientPolicy(), seed: UInt64 = 0) {
        precondition(hidden.count == activations.count, "one activation per hidden layer")
        precondition(inputs > 0 && hidden.allSatisfy { $0 > 0 }, "layer widths must be positive")
        self.task = task
        self.activations = activations
        let outputs: Int
        if case .multiclass(let classes) = task { outputs = classes } else { outputs = 1 }
        let widths = [inputs] + hidden + [outputs]
        var rng = SplitMix64(seed: seed)
        var names: [String] = [], tensors: [Tensor] = []
        for l in 0..<(widths.count - 1) {
            let limit = (6 / Double(widths[l] + widths[l + 1])).squareRoot()
            let w = (0..<(widths[l] * widths[l + 1])).map { _ in (2 * rng.nextUnit() - 1) * limit }
            names += ["w\(l + 1)", "b\(l + 1)"]
            tensors += [Tensor(shape: .matrix(rows: widths[l], cols: widths[l + 1]), scalars: w), Tensor(zeros: .vector(widths[l + 1]))]
        }
        parameters = Parameters(names: names, tensors: tensors, optimizer: optimizer, policy: policy)
    }

    public var inputWidth: Int { parameters.tensors[0].shape.rows }
    var layerCount: Int { parameters.names.count / 2 }

    public func predict(_ x: FeatureVector, into output: inout [Double]) {
        let widest = parameters.tensors.lazy.map(\.shape.cols).max() ?? 1
        let count = task.outputCount
        if output.count != count { output = [Double](repeating: 0, count: count) }
        withUnsafeTemporaryAllocation(of: Double.self, capacity: 2 * widest) { scratch in
            var current = scratch.baseAddress!, next = scratch.baseAddress! + widest
            Dense.affine(x, parameters.tensors[0], parameters.tensors[1], into: current)
            var width = parameters.tensors[1].count
            for l in 0..<layerCount {
                if l > 0 {
                    let w = parameters.tensors[2 * l], b = parameters.tensors[2 * l + 1]
                    let cols = w.shape.cols
                    for c in 0..<cols {
                        var acc = b.scalars[c]
                        for r in 0..<width { acc += current[r] * w.scalars[r * cols + c] }
                        next[c] = acc
                    }
                    swap(&current, &next)
                    width = cols
                }
                if l < activations.count { Self.activate(activations[l], current, width) }
            }
            switch task {
            case .binary:
                let p = Kernels.sigmoid(current[0])
                output[0] = 1 - p
                output[1] = p
            case .multiclass:
                output.withUnsafeMutableBufferPointer { out in
                    Kernels.softmax(UnsafePointer(current), into: out.baseAddress!, count: count)
                }
            case .regression:
                output[0] = current[0]
            }
        }
    }

    static func activate(_ activation: Activation, _ h: UnsafeMutablePointer<Double>, _ n: Int) {
        switch activation {
        case .identity: break
        case .relu: for i in 0..<n { h[i] = max(h[i], 0) }
        case .tanh: for i in 0..<n { h[i] = Foundation.tanh(h[i]) }
        case .sigmoid: for i in 0..<n { h[i] = Kernels.sigmoid(h[i]) }
        }
    }

    public mutating func recordLoss(_ x: FeatureVector, label: Double) -> TensorHandle {
        var h = Dense.record(x, weights: parameters.handle(0), bias: parameters.handle(1), on: &parameters.tape)
        for l in 0..<layerCount {
            if l > 0 {
                h = parameters.tape.add(parameters.tape.matmul(h, parameters.handle(2 * l)), parameters.handle(2 * l + 1))
            }
            if l < activations.count {
                switch activations[l] {
                case .identity: break
                case .relu: h = parameters.tape.relu(h)
                case .tanh: h = parameters.tape.tanh(h)
                case .sigmoid: h = parameters.tape.sigmoid(h)
                }
            }
        }
        let y = parameters.tape.constant(label)
        switch task {
        case .binary: return parameters.tape.binaryLogLoss(logits: h, labels: y)
        case .multiclass: return parameters.tape.softmaxCrossEntropy(logits: h, labels: y)
        case .regression: return parameters.tape.squaredError(h, y)
        }
    }

    public static var stateKind: String { "mlp" }

    public func writeConfiguration(to writer: inout StateWriter) {
        switch task {
        case .binary: writer.write(0)
        case .multiclass(let classes): writer.write(classes)
        case .regression: writer.write(-1)
        }
        writer.write(activations.map { Int($0.rawValue) })
    }

    public init(configuration reader: inout StateReader, parameters: Parameters<O>) throws(StateError) {
        let code = try reader.readInt()
        switch code {
        case 0: task = .binary
        case -1: task = .regression
        case 2...: task = .multiclass(classes: code)
        default: throw .invalid("unknown MLP task \(code)")
        }
        var activations: [Activation] = []
        for raw in try reader.readInts() {
            guard let a = UInt8(exactly: raw).flatMap(Activation.init(rawValue:)) else { throw .invalid("unknown activation \(raw)") }
            activations.append(a)
        }
        let t = parameters.tensors
        guard t.count >= 2, t.count % 2 == 0, activations.count == t.count / 2 - 1 else { throw .invalid("MLP layers") }
        for l in 0..<(t.count / 2) {
            guard t[2 * l].shape.rank == 2, t[2 * l + 1].shape == .vector(t[2 * l].shape.cols),
                  l == 0 || t[2 * l].shape.rows == t[2 * l - 1].count else { throw .invalid("MLP layer \(l + 1) shapes") }
        }
        let outputs = t[t.count - 1].count
        if case .multiclass(let classes) = task { guard outputs == classes else { throw .invalid("MLP outputs") } }
        else { guard outputs == 1 else { throw .invalid("MLP outputs") } }
        self.activations = activations
        self.parameters = parameters
    }
}
