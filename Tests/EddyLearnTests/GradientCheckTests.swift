import EddyFeatures
@testable import EddyLearn
import Foundation
import Testing

/// One op or loss from `ops/fixtures/tape_reference.py`: inputs, NumPy output and gradients.
struct TapeCase: CustomTestStringConvertible, Sendable {
    let name: String
    let op: String
    let inputs: [Tensor]
    let output: Tensor
    let grads: [Tensor]
    let upstream: Tensor?
    let labels: Tensor?
    let features: FeatureVector?
    let delta: Double

    var testDescription: String { name }

    static func tensor(_ any: Any?) -> Tensor {
        let dict = any as! [String: Any]
        let shape = (dict["shape"] as! [Any]).map { ($0 as! NSNumber).intValue }
        let data = doubles(dict["data"])
        switch shape.count {
        case 0: return Tensor(data[0])
        case 1: return Tensor(data)
        default: return Tensor(shape: .matrix(rows: shape[0], cols: shape[1]), scalars: data)
        }
    }

    static let all: [TapeCase] = {
        let fixture = try! loadFixture("tape_reference")
        return (fixture["cases"] as! [[String: Any]]).map { c in
            var features: FeatureVector? = nil
            if let values = c["values"] {
                let indices = (c["indices"] as! [Any]).map { Int32(($0 as! NSNumber).intValue) }
                features = indices.isEmpty ? FeatureVector(dense: doubles(values))
                    : FeatureVector(indices: indices, values: doubles(values))
            }
            return TapeCase(name: c["name"] as! String, op: c["op"] as! String,
                            inputs: (c["inputs"] as! [Any]).map(tensor), output: tensor(c["output"]),
                            grads: (c["grads"] as! [Any]).map(tensor),
                            upstream: c["upstream"].map(tensor), labels: c["labels"].map(tensor),
                            features: features, delta: (c["delta"] as? NSNumber)?.doubleValue ?? 1)
        }
    }()

    /// Records the op on `tape` over `inputs` (watched) and returns (output, scalar objective).
    func record(_ tape: inout GradientTape, _ inputs: [Tensor]) -> (TensorHandle, TensorHandle, [TensorHandle]) {
        let h = inputs.map { tape.watch($0) }
        let out: TensorHandle
        switch op {
        case "add": out = tape.add(h[0], h[1])
        case "sub": out = tape.sub(h[0], h[1])
        case "mul": out = tape.mul(h[0], h[1])
        case "div": out = tape.div(h[0], h[1])
        case "matmul": out = tape.matmul(h[0], h[1])
        case "dot": out = tape.dot(h[0], features!)
        case "gatherRows": out = tape.gatherRows(h[0], features!)
        case "sum": out = tape.sum(h[0])
        case "mean": out = tape.mean(h[0])
        case "exp": out = tape.exp(h[0])
        case "log": out = tape.log(h[0])
        case "log1p": out = tape.log1p(h[0])
        case "sigmoid": out = tape.sigmoid(h[0])
        case "tanh": out = tape.tanh(h[0])
        case "relu": out = tape.relu(h[0])
        case "softplus": out = tape.softplus(h[0])
        case "softmax": out = tape.softmax(h[0])
        case "logSoftmax": out = tape.logSoftmax(h[0])
        case "squaredError": out = tape.squaredError(h[0], tape.constant(labels!))
        case "huber": out = tape.huber(h[0], tape.constant(labels!), delta: delta)
        case "binaryLogLoss": out = tape.binaryLogLoss(logits: h[0], labels: tape.constant(labels!))
        case "hinge": out = tape.hinge(h[0], labels: tape.constant(labels!))
        case "softmaxCrossEntropy": out = tape.softmaxCrossEntropy(logits: h[0], labels: tape.constant(labels!))
        default: fatalError("unknown op \(op)")
        }
        guard let upstream else { return (out, out, h) }
        return (out, tape.sum(tape.mul(out, tape.constant(upstream))), h)
    }

    func objective(_ inputs: [Tensor]) -> Double {
        var tape = GradientTape()
        let objective = record(&tape, inputs).1
        return tape.scalar(of: objective)
    }
}

func close(_ a: Double, _ b: Double, _ tolerance: Double) -> Bool {
    abs(a - b) <= tolerance * max(1, abs(a), abs(b))
}

@Test(arguments: TapeCase.all)
func tapeMatchesNumPy(_ c: TapeCase) throws {
    var tape = GradientTape()
    let (out, objective, handles) = c.record(&tape, c.inputs)
    let value = tape.value(of: out)
    #expect(value.shape == c.output.shape)
    for i in 0..<c.output.count { #expect(close(value[i], c.output[i], 1e-12), "output \(i)") }
    let grads = try tape.gradient(of: objective, wrt: handles)
    for k in 0..<grads.count {
        #expect(grads[k].shape == c.grads[k].shape)
        for i in 0..<c.grads[k].count { #expect(close(grads[k][i], c.grads[k][i], 1e-12), "input \(k) element \(i)") }
    }
}

/// Central finite differences against the tape on the fixture's inputs and on seeded
/// random perturbations of them (kept small so inputs stay off kinks and domain edges).
@Test(arguments: TapeCase.all)
func tapeMatchesFiniteDifferences(_ c: TapeCase) throws {
    var rng = SplitMix64(seed: UInt64(truncatingIfNeeded: c.name.utf8.reduce(7) { $0 &* 31 &+ Int($1) }))
    var jittered = c.inputs
    for k in 0..<jittered.count {
        for i in 0..<jittered[k].count { jittered[k][i] += 0.01 * (rng.nextUnit() - 0.5) }
    }
    for inputs in [c.inputs, jittered] {
        var tape = GradientTape()
        let (_, objective, handles) = c.record(&tape, inputs)
        let grads = try tape.gradient(of: objective, wrt: handles)
        let h = 1e-5
        for k in 0..<inputs.count {
            for i in 0..<inputs[k].count {
                var plus = inputs, minus = inputs
                plus[k][i] += h
                minus[k][i] -= h
                let numeric = (c.objective(plus) - c.objective(minus)) / (2 * h)
                let analytic = grads[k][i]
                let relative = abs(analytic - numeric) / max(abs(analytic) + abs(numeric), 1e-4)
                #expect(relative < 1e-6, "input \(k) element \(i): analytic \(analytic), numeric \(numeric)")
            }
        }
    }
}
