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

/// The fused kernels (`dot(_:_:plus:)`, losses with a scalar label) against the NumPy-checked
/// ops they stand for, and against finite differences.
@Test(arguments: [FeatureVector(dense: [0.5, -1.5, 2, 0.25]), FeatureVector(indices: [3, 0], values: [1.5, -0.75])])
func fusedKernelsMatchTheirComposition(_ x: FeatureVector) throws {
    let w = Tensor([0.3, -0.2, 0.9, -1.1]), b = Tensor(0.4)
    for (name, label) in [("binaryLogLoss", 1.0), ("binaryLogLoss", 0.0), ("hinge", 1.0), ("squaredError", 0.7), ("huber", -2.0)] {
        func run(fused: Bool, _ w: Tensor, _ b: Tensor) throws -> (Double, [Tensor]) {
            var tape = GradientTape()
            let wh = tape.watch(w), bh = tape.watch(b)
            let score = fused ? tape.dot(wh, x, plus: bh) : tape.add(tape.dot(wh, x), bh)
            let loss: TensorHandle
            switch (name, fused) {
            case ("binaryLogLoss", true): loss = tape.binaryLogLoss(logits: score, label: label)
            case ("binaryLogLoss", false): loss = tape.binaryLogLoss(logits: score, labels: tape.constant(label))
            case ("hinge", true): loss = tape.hinge(score, label: label)
            case ("hinge", false): loss = tape.hinge(score, labels: tape.constant(label))
            case ("squaredError", true): loss = tape.squaredError(score, target: label)
            case ("squaredError", false): loss = tape.squaredError(score, tape.constant(label))
            case (_, true): loss = tape.huber(score, target: label, delta: 1)
            default: loss = tape.huber(score, tape.constant(label), delta: 1)
            }
            let value = tape.scalar(of: loss)
            // An op reading the loss sees the same value (the binary log-loss completes it then).
            let shifted = tape.add(loss, tape.constant(0))
            let through = tape.scalar(of: shifted)
            #expect(through == value, "\(name)")
            return (value, try tape.gradient(of: loss, wrt: [wh, bh]))
        }
        let (fusedValue, fusedGrads) = try run(fused: true, w, b)
        let (plainValue, plainGrads) = try run(fused: false, w, b)
        #expect(fusedValue == plainValue, "\(name)")
        #expect(fusedGrads == plainGrads, "\(name)")
        let h = 1e-6
        for i in 0..<w.count {
            var plus = w, minus = w
            plus[i] += h
            minus[i] -= h
            let numeric = (try run(fused: true, plus, b).0 - run(fused: true, minus, b).0) / (2 * h)
            #expect(abs(numeric - fusedGrads[0][i]) / max(abs(numeric) + abs(fusedGrads[0][i]), 1e-4) < 1e-6, "\(name) w\(i)")
        }
        let numeric = (try run(fused: true, w, Tensor(0.4 + h)).0 - run(fused: true, w, Tensor(0.4 - h)).0) / (2 * h)
        #expect(abs(numeric - fusedGrads[1][0]) / max(abs(numeric) + abs(fusedGrads[1][0]), 1e-4) < 1e-6, "\(name) bias")
    }
}
