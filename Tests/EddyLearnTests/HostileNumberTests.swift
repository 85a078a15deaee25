import EddyFeatures
@testable import EddyLearn
import Foundation
import Testing

@Test func nonFiniteFeaturesAndBadLabelsAreRefusedBeforeTheWeights() throws {
    var model = LogisticRegression(features: 3, optimizer: Adam(learningRate: .constant(0.1)))
    model.learn(FeatureVector(dense: [1, 2, 3]), label: 1)
    let before = model.stateBlob()
    #expect(throws: LearnError.nonFiniteFeature(position: 1, value: .infinity)) {
        try model.learnChecked(FeatureVector(dense: [1, .infinity, 3]), label: 1)
    }
    #expect(throws: LearnError.self) { try model.learnChecked(FeatureVector(dense: [.nan, 0, 0]), label: 0) }
    #expect(throws: LearnError.invalidLabel(0.5, task: .binary)) { try model.learnChecked(FeatureVector(dense: [1, 1, 1]), label: 0.5) }
    #expect(throws: LearnError.self) { try model.learnChecked(FeatureVector(dense: [1, 1, 1]), label: .nan) }
    #expect(throws: LearnError.featureOutOfRange(position: 7, width: 3)) {
        try model.learnChecked(FeatureVector(indices: [0, 7], values: [1, 1]), label: 1)
    }
    // The first position out of range is named: a negative one, and a dense vector too long.
    #expect(throws: LearnError.featureOutOfRange(position: -2, width: 3)) {
        try model.learnChecked(FeatureVector(indices: [1, -2, 9], values: [1, 1, 1]), label: 1)
    }
    #expect(throws: LearnError.featureOutOfRange(position: -1, width: 3)) {
        try model.learnChecked(FeatureVector(indices: [0, -1], values: [1, 1]), label: 1)
    }
    #expect(throws: LearnError.featureOutOfRange(position: 3, width: 3)) {
        try model.learnChecked(FeatureVector(dense: [1, 2, 3, 4]), label: 0)
    }
    model.learn(FeatureVector(indices: [2], values: [-.infinity]), label: 1)
    #expect(model.parameters.refused == 9)
    var unchanged = model
    unchanged.parameters.refused = 0
    let reference = try LogisticRegression<Adam>(stateBlob: before)
    #expect(unchanged.parameters.tensors == reference.parameters.tensors)
    #expect(unchanged.parameters.optimizer == reference.parameters.optimizer)

    var regressor = LinearRegression(features: 2, optimizer: SGD())
    #expect(throws: LearnError.self) { try regressor.learnChecked(FeatureVector(dense: [1, 1]), label: .infinity) }
    var softmax = SoftmaxRegression(features: 2, classes: 3, optimizer: SGD())
    #expect(throws: LearnError.invalidLabel(3, task: .multiclass(classes: 3))) { try softmax.learnChecked(FeatureVector(dense: [1, 1]), label: 3) }
}

@Test func overflowingGradientsAreRefusedNotLearned() throws {
    var model = LinearRegression(features: 2, optimizer: SGD(learningRate: .constant(0.1)))
    let before = model.parameters.tensors
    #expect(throws: LearnError.nonFiniteGradient) {
        try model.learnChecked(FeatureVector(dense: [1e200, 1e200]), label: 1e300)
    }
    #expect(model.parameters.tensors == before)
}

@Test func eachSlotsSumOfSquaresDecidesAlone() throws {
    // The loss gradient is -1.2e154: each slot's sum of squares (1.44e308) is finite, the two
    // together are not. The step checks the slots as one block first and must still accept.
    var model = LinearRegression(features: 2, optimizer: SGD(learningRate: .constant(0.1)), interceptLearningRate: nil)
    try model.learnChecked(FeatureVector(dense: [1, 0]), label: 6e153)
    let clip = model.parameters.policy.clipValue
    #expect(model.weights == [0.1 * min(1.2e154, clip), 0])
    #expect(model.bias == 0.1 * min(1.2e154, clip))
}

@Test func explodingGradientsAreClippedByValue() throws {
    var model = LinearRegression(features: 3, optimizer: SGD(learningRate: .constant(0.1)),
                                 policy: GradientPolicy(clipValue: 0.5), interceptLearningRate: nil)
    try model.learnChecked(FeatureVector(dense: [1e6, -1e6, 2]), label: 1e6)
    // Unclipped, the first weight would move by 0.1 * 2 * 1e6 * 1e6.
    #expect(model.weights == [0.05, -0.05, 0.05])
    #expect(model.bias == 0.05)
}

@Test func explodingGradientsAreClippedByNorm() throws {
    var model = LinearRegression(features: 3, optimizer: SGD(learningRate: .constant(1)),
                                 policy: GradientPolicy(clipNorm: 2), interceptLearningRate: nil)
    try model.learnChecked(FeatureVector(dense: [3, 4, 0]), label: 1e8)
    let step = model.weights + [model.bias]
    let norm = step.reduce(0) { $0 + $1 * $1 }.squareRoot()
    #expect(abs(norm - 2) < 1e-12)
    // The direction is kept: gradient (3, 4, 0, 1) scaled down.
    #expect(abs(step[1] / step[0] - 4.0 / 3.0) < 1e-12)
}

@Test func opsReportLogOfZeroAndDivisionByZero() throws {
    var tape = GradientTape()
    let x = tape.watch(Tensor([1, 0]))
    let loss = tape.sum(tape.log(x))
    #expect(throws: TapeError.nonFinite(op: "log")) { _ = try tape.gradient(of: loss, wrt: [x]) }

    tape.reset()
    let a = tape.watch(Tensor([1, 2]))
    let q = tape.sum(tape.div(a, tape.constant(Tensor([1, 0]))))
    #expect(throws: TapeError.nonFinite(op: "div")) { _ = try tape.gradient(of: q, wrt: [a]) }
}

@Test func stableOpsStayFiniteAtExtremes() throws {
    var tape = GradientTape()
    let z = tape.watch(Tensor([-1000, -40, 0, 40, 1000]))
    let terms = [
        tape.binaryLogLoss(logits: z, labels: tape.constant(Tensor([1, 1, 0, 0, 0]))),
        tape.sum(tape.softplus(z)),
        tape.sum(tape.sigmoid(z)),
        tape.sum(tape.logSoftmax(z)),
        tape.sum(tape.log1p(tape.sigmoid(z))),
        tape.softmaxCrossEntropy(logits: z, labels: tape.constant(0)),
    ]
    var total = terms[0]
    for t in terms.dropFirst() { total = tape.add(total, t) }
    let g = try tape.gradient(of: total, wrt: [z])[0]
    #expect(g.isFinite)
    #expect(tape.scalar(of: terms[0]).isFinite)
    // log-loss of logit -1000 with label 1 is 1000/5 on average: no log(0).
    let expected: Double = (1000 + 40 + Foundation.log(2.0) + 40 + 1000) / 5
    #expect(abs(tape.scalar(of: terms[0]) - expected) < 1e-9)
}

@Test func defaultTapeAnswersOncePersistentTapeAgain() throws {
    var tape = GradientTape()
    let x = tape.watch(Tensor(3))
    let y = tape.mul(x, x)
    #expect(try tape.gradient(of: y, wrt: [x])[0].scalar == 6)
    #expect(throws: TapeError.alreadyUsed) { _ = try tape.gradient(of: y, wrt: [x]) }

    var persistent = GradientTape(persistent: true)
    let p = persistent.watch(Tensor(3))
    let cube = persistent.mul(persistent.mul(p, p), p)
    let square = persistent.mul(p, p)
    #expect(try persistent.gradient(of: cube, wrt: [p])[0].scalar == 27)
    #expect(try persistent.gradient(of: square, wrt: [p])[0].scalar == 6)
}

@Test func stopGradientCutsThePath() throws {
    var tape = GradientTape()
    let x = tape.watch(Tensor([2, -1]))
    let y = tape.sum(tape.mul(x, tape.stopGradient(x)))
    #expect(try tape.gradient(of: y, wrt: [x])[0].scalars == [2, -1])
}

@Test func resetTapeReusesItsBuffers() throws {
    var model = MLP(task: .binary, inputs: 6, hidden: [8], optimizer: Adam(learningRate: .constant(0.01)), seed: 2)
    let stream = events(60, task: .binary, width: 6)
    for (x, y) in stream[..<10] { try model.learnChecked(x, label: y) }
    func capacities(_ b: TapeBuffers) -> [Int] { [b.valueCapacity, b.nodeCapacity, b.gradCapacity, b.inputCapacity] }
    let before = model.parameters.tape.buffers
    #expect(model.parameters.tape.arena.buffers.values == before.values)
    for (x, y) in stream[10...] { try model.learnChecked(x, label: y) }
    let after = model.parameters.tape.buffers
    #expect(capacities(after) == capacities(before))
    #expect(after.values == before.values && after.nodes == before.nodes && after.grads == before.grads)
}

@Test func aCopiedTapeRecordsOnItsOwnBuffers() throws {
    var tape = GradientTape(persistent: true)
    let x = tape.watch(Tensor([1, 2, 3]))
    let y = tape.sum(tape.mul(x, x))
    var copy = tape
    // Written over the shared arena's next slots if the copy did not take buffers of its own.
    let z = copy.sum(copy.exp(copy.mul(x, copy.constant(Tensor([5, 6, 7])))))
    #expect(try tape.gradient(of: y, wrt: [x])[0].scalars == [2, 4, 6])
    _ = tape.sum(tape.mul(x, tape.constant(Tensor([-1, -1, -1]))))
    #expect(copy.scalar(of: z) == Foundation.exp(5) + Foundation.exp(12) + Foundation.exp(21))
    #expect(try copy.gradient(of: z, wrt: [x])[0].scalars == [5 * Foundation.exp(5), 6 * Foundation.exp(12), 7 * Foundation.exp(21)])
}

@Test func hashedUpdatesTouchOnlyActivePositions() throws {
    var model = LogisticRegression(features: 1 << 18, optimizer: Adam(learningRate: .constant(0.1)))
    let x = FeatureVector(indices: [5, 77, 4_096, 262_143], values: [1, -2, 0.5, 3])
    try model.learnChecked(x, label: 1)
    let changed = model.weights.indices.filter { model.weights[$0] != 0 }
    #expect(changed == [5, 77, 4_096, 262_143])
    var tape = GradientTape()
    let w = tape.watch(model.parameters.tensors[0])
    let loss = tape.binaryLogLoss(logits: tape.dot(w, x), labels: tape.constant(0))
    try tape.backward(from: loss)
    let g = tape.gradient(for: w)
    #expect(g.isSparse && g.indices == [5, 77, 4_096, 262_143])
}
