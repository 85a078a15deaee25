import EddyCodec
import EddyFeatures
@testable import EddyLearn
import Testing

/// A seeded stream for `task`: dense events of `width` features, or hashed sparse events
/// with `active` positions out of `width`.
func events(_ count: Int, task: LearningTask, width: Int, active: Int? = nil, seed: UInt64 = 1) -> [(FeatureVector, Double)] {
    var rng = SplitMix64(seed: seed)
    return (0..<count).map { _ in
        let x: FeatureVector
        if let active {
            var positions = Set<Int32>()
            while positions.count < active { positions.insert(Int32(rng.next() % UInt64(width))) }
            let sorted = positions.sorted()
            x = FeatureVector(indices: sorted, values: sorted.map { _ in rng.nextGaussian() })
        } else {
            x = FeatureVector(dense: (0..<width).map { _ in rng.nextGaussian() })
        }
        let signal = x.values.reduce(0, +)
        let label: Double
        switch task {
        case .binary: label = signal + 0.3 * rng.nextGaussian() > 0 ? 1 : 0
        case .multiclass(let classes): label = Double(Int(abs(signal * 2)) % classes)
        case .regression: label = 0.5 * signal + 0.1 * rng.nextGaussian()
        }
        return (x, label)
    }
}

/// Trains straight through, and separately stops halfway, restores from the blob and goes
/// on: the two must end bitwise equal, and the blob must round-trip bitwise.
func expectRestoreAndContinue<M: GradientLearner>(_ make: () -> M, _ stream: [(FeatureVector, Double)],
                                                  sourceLocation: SourceLocation = #_sourceLocation) throws {
    var straight = make()
    for (x, y) in stream { try straight.learnChecked(x, label: y) }
    var first = make()
    for (x, y) in stream[..<(stream.count / 2)] { try first.learnChecked(x, label: y) }
    let blob = first.stateBlob()
    var restored = try M(stateBlob: blob)
    #expect(restored.stateBlob() == blob, "round trip", sourceLocation: sourceLocation)
    for (x, y) in stream[(stream.count / 2)...] { try restored.learnChecked(x, label: y) }
    #expect(restored.stateBlob() == straight.stateBlob(), "restore and continue", sourceLocation: sourceLocation)
    var a = [Double](), b = [Double]()
    straight.predict(stream[0].0, into: &a)
    restored.predict(stream[0].0, into: &b)
    #expect(a.map(\.bitPattern) == b.map(\.bitPattern), sourceLocation: sourceLocation)
    #expect(straight.parameters.tensors != make().parameters.tensors, "the model learned something", sourceLocation: sourceLocation)
}

func expectEveryModelRestores<O: Optimizer>(_ optimizer: O, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let binary = events(200, task: .binary, width: 6)
    let hashed = events(200, task: .binary, width: 1 << 10, active: 5)
    let regression = events(200, task: .regression, width: 6)
    let multiclass = events(200, task: .multiclass(classes: 3), width: 6)
    try expectRestoreAndContinue({ LogisticRegression(features: 6, optimizer: optimizer) }, binary, sourceLocation: sourceLocation)
    try expectRestoreAndContinue({ LogisticRegression(features: 1 << 10, optimizer: optimizer, loss: .hinge, interceptLearningRate: nil) }, hashed, sourceLocation: sourceLocation)
    try expectRestoreAndContinue({ LinearRegression(features: 6, optimizer: optimizer) }, regression, sourceLocation: sourceLocation)
    try expectRestoreAndContinue({ LinearRegression(features: 6, optimizer: optimizer, loss: .huber(delta: 0.5), policy: GradientPolicy(l2: 0.01, clipNorm: 1)) }, regression, sourceLocation: sourceLocation)
    try expectRestoreAndContinue({ SoftmaxRegression(features: 6, classes: 3, optimizer: optimizer) }, multiclass, sourceLocation: sourceLocation)
    try expectRestoreAndContinue({ MLP(task: .binary, inputs: 6, hidden: [5, 4], activations: [.relu, .tanh], optimizer: optimizer, seed: 3) }, binary, sourceLocation: sourceLocation)
    try expectRestoreAndContinue({ MLP(task: .multiclass(classes: 3), inputs: 6, hidden: [5], activation: .sigmoid, optimizer: optimizer, seed: 4) }, multiclass, sourceLocation: sourceLocation)
    try expectRestoreAndContinue({ MLP(task: .regression, inputs: 6, hidden: [4], activation: .identity, optimizer: optimizer, seed: 5) }, regression, sourceLocation: sourceLocation)
    try expectRestoreAndContinue({ FactorizationMachine(task: .binary, features: 1 << 10, factors: 3, optimizer: optimizer, policy: GradientPolicy(l1: 0.001), seed: 6) }, hashed, sourceLocation: sourceLocation)
    try expectRestoreAndContinue({ FactorizationMachine(task: .regression, features: 6, factors: 2, optimizer: optimizer, seed: 7) }, regression, sourceLocation: sourceLocation)
}

@Test func sgdModelsRestoreAndContinueBitwise() throws { try expectEveryModelRestores(SGD(learningRate: .constant(0.02))) }
@Test func momentumModelsRestoreAndContinueBitwise() throws { try expectEveryModelRestores(SGD(learningRate: .step(0.05, factor: 0.5, every: 50), momentum: 0.5)) }
@Test func inverseScalingModelsRestoreAndContinueBitwise() throws { try expectEveryModelRestores(SGD(learningRate: .inverseScaling(0.05, power: 0.5))) }
@Test func adaGradModelsRestoreAndContinueBitwise() throws { try expectEveryModelRestores(AdaGrad(learningRate: .constant(0.05))) }
@Test func rmspropModelsRestoreAndContinueBitwise() throws { try expectEveryModelRestores(RMSprop(learningRate: .constant(0.01))) }
@Test func adamModelsRestoreAndContinueBitwise() throws { try expectEveryModelRestores(Adam(learningRate: .constant(0.01))) }
@Test func adamWModelsRestoreAndContinueBitwise() throws { try expectEveryModelRestores(Adam.adamW(learningRate: .constant(0.01), weightDecay: 0.01)) }
@Test func ftrlModelsRestoreAndContinueBitwise() throws { try expectEveryModelRestores(FTRLProximal(alpha: 0.1, beta: 1, l1: 0.01, l2: 0.1)) }

@Test func corruptedTruncatedAndForeignBlobsAreRefused() throws {
    var model = MLP(task: .binary, inputs: 6, hidden: [4], optimizer: Adam(learningRate: .constant(0.01)), seed: 1)
    for (x, y) in events(20, task: .binary, width: 6) { model.learn(x, label: y) }
    let blob = model.stateBlob()
    for position in stride(from: 0, to: blob.count, by: max(1, blob.count / 40)) {
        var bad = blob
        bad[position] ^= 0x10
        #expect(throws: StateError.self) { _ = try MLP<Adam>(stateBlob: bad) }
    }
    for length in [0, 3, 10, blob.count / 2, blob.count - 1] {
        #expect(throws: StateError.self) { _ = try MLP<Adam>(stateBlob: Array(blob[0..<length])) }
    }
    #expect(throws: StateError.wrongKind(expected: "logistic-regression", found: "mlp")) {
        _ = try LogisticRegression<Adam>(stateBlob: blob)
    }
    #expect(throws: StateError.wrongKind(expected: "sgd", found: "adam")) {
        _ = try MLP<SGD>(stateBlob: blob)
    }
}

@Test func optimizerAloneRoundTrips() throws {
    var w = Tensor(zeros: .vector(4))
    var adam = Adam(learningRate: .constant(0.1))
    let g = VariableGradient(shape: .vector(4), isSparse: true, dense: [], indices: [1, 3], values: [0.5, -2])
    adam.apply(to: &w, slot: 0, gradient: g, policy: GradientPolicy(), scale: 1)
    adam.endStep()
    #expect(w[0] == 0 && w[2] == 0 && w[1] < 0 && w[3] > 0)
    #expect(try Adam(stateBlob: adam.stateBlob()) == adam)
}
