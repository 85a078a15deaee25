import EddyFeatures
@testable import EddyLearn
import Testing

/// Prequential accuracy over the last `tail` events of `stream`.
func accuracy<L: Learner>(_ model: inout L, _ stream: [(FeatureVector, Double)], tail: Int) -> Double {
    var correct = 0
    for (k, (x, y)) in stream.enumerated() {
        if k >= stream.count - tail && model.predictLabel(x) == y { correct += 1 }
        model.learn(x, label: y)
    }
    return Double(correct) / Double(tail)
}

@Test func factorizationMachineLearnsAPairwiseInteractionLogisticRegressionCannot() {
    var rng = SplitMix64(seed: 9)
    let stream: [(FeatureVector, Double)] = (0..<4_000).map { _ in
        let a = rng.nextGaussian(), b = rng.nextGaussian()
        return (FeatureVector(dense: [a, b]), a * b > 0 ? 1 : 0)
    }
    var fm = FactorizationMachine(task: .binary, features: 2, factors: 4, optimizer: Adam(learningRate: .constant(0.05)), seed: 2)
    var linear = LogisticRegression(features: 2, optimizer: Adam(learningRate: .constant(0.05)))
    #expect(accuracy(&fm, stream, tail: 1_000) > 0.85)
    #expect(accuracy(&linear, stream, tail: 1_000) < 0.65)
}

@Test func mlpLearnsXorThatALinearModelCannot() {
    var rng = SplitMix64(seed: 10)
    let stream: [(FeatureVector, Double)] = (0..<6_000).map { _ in
        let a = rng.nextGaussian(), b = rng.nextGaussian()
        return (FeatureVector(dense: [a, b]), a * b > 0 ? 1 : 0)
    }
    var mlp = MLP(task: .binary, inputs: 2, hidden: [16], activation: .tanh, optimizer: Adam(learningRate: .constant(0.02)), seed: 3)
    #expect(accuracy(&mlp, stream, tail: 1_000) > 0.85)
}

@Test func sparseInputsTouchOnlyTheirRowsInSoftmaxAndMLP() throws {
    let stream = events(300, task: .multiclass(classes: 3), width: 1 << 12, active: 4, seed: 5)
    try expectRestoreAndContinue({ SoftmaxRegression(features: 1 << 12, classes: 3, optimizer: Adam(learningRate: .constant(0.05))) }, stream)
    try expectRestoreAndContinue({ MLP(task: .multiclass(classes: 3), inputs: 1 << 12, hidden: [6], optimizer: AdaGrad(learningRate: .constant(0.05)), seed: 8) }, stream)
    var model = SoftmaxRegression(features: 1 << 12, classes: 3, optimizer: SGD(learningRate: .constant(0.1)))
    let x = FeatureVector(indices: [7, 4_000], values: [1, -2])
    try model.learnChecked(x, label: 2)
    let w = model.parameters.tensors[0]
    let touchedRows = Set((0..<w.count).filter { w[$0] != 0 }.map { $0 / 3 })
    #expect(touchedRows == [7, 4_000])
}

@Test func softmaxRegressionSeparatesThreeClasses() {
    var rng = SplitMix64(seed: 12)
    let centers: [[Double]] = [[2, 0], [-1, 2], [-1, -2]]
    let stream: [(FeatureVector, Double)] = (0..<3_000).map { k in
        let c = k % 3
        return (FeatureVector(dense: [centers[c][0] + 0.5 * rng.nextGaussian(), centers[c][1] + 0.5 * rng.nextGaussian()]), Double(c))
    }
    var model = SoftmaxRegression(features: 2, classes: 3, optimizer: SGD(learningRate: .constant(0.05)))
    #expect(accuracy(&model, stream, tail: 1_000) > 0.95)
}
