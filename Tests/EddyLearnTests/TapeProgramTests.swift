import EddyFeatures
@testable import EddyLearn
import Testing

/// Trains one model that replays its compiled step and one that records every event on the
/// same events: each event must be refused with the same error or learned, and the two must end
/// bitwise equal (weights, optimizer state, refusals).
func expectCompiledStepsMatchRecorded<M: GradientLearner>(_ make: () -> M, _ stream: [(FeatureVector, Double)],
                                                          sourceLocation: SourceLocation = #_sourceLocation) {
    var compiled = make(), recorded = make()
    recorded.parameters.compilesStep = false
    for (x, y) in stream {
        let a = Result { () throws(LearnError) in try compiled.learnChecked(x, label: y) }
        let b = Result { () throws(LearnError) in try recorded.learnChecked(x, label: y) }
        #expect(String(describing: a) == String(describing: b), "event \(x) label \(y)", sourceLocation: sourceLocation)
    }
    #expect(compiled.parameters.program != nil, "the step was compiled", sourceLocation: sourceLocation)
    #expect(recorded.parameters.program == nil, sourceLocation: sourceLocation)
    let same = compiled.stateBlob() == recorded.stateBlob()
    #expect(same, "compiled and recorded steps learn alike", sourceLocation: sourceLocation)
    #expect(compiled.parameters.tensors != make().parameters.tensors, "the model learned something", sourceLocation: sourceLocation)
}

func expectLinearModelsCompile<O: Optimizer>(_ optimizer: O, sourceLocation: SourceLocation = #_sourceLocation) {
    let binary = events(300, task: .binary, width: 6)
    let hashed = events(300, task: .binary, width: 1 << 10, active: 5)
    let regression = events(300, task: .regression, width: 6)
    // Dense and sparse events in turn: the weights' gradient is dense for one, sparse for the other.
    let mixed = zip(binary, events(300, task: .binary, width: 6, active: 3, seed: 2)).flatMap { [$0, $1] }
    expectCompiledStepsMatchRecorded({ LogisticRegression(features: 6, optimizer: optimizer) }, binary, sourceLocation: sourceLocation)
    expectCompiledStepsMatchRecorded({ LogisticRegression(features: 6, optimizer: optimizer) }, mixed, sourceLocation: sourceLocation)
    expectCompiledStepsMatchRecorded({ LogisticRegression(features: 6, optimizer: optimizer, interceptLearningRate: .inverseScaling(0.05, power: 0.5)) },
                                     mixed, sourceLocation: sourceLocation)
    expectCompiledStepsMatchRecorded({ LogisticRegression(features: 1 << 10, optimizer: optimizer, loss: .hinge, interceptLearningRate: nil) },
                                     hashed, sourceLocation: sourceLocation)
    expectCompiledStepsMatchRecorded({ LogisticRegression(features: 6, optimizer: optimizer, policy: GradientPolicy(l1: 0.001, l2: 0.01)) },
                                     binary, sourceLocation: sourceLocation)
    expectCompiledStepsMatchRecorded({ LinearRegression(features: 6, optimizer: optimizer) }, regression, sourceLocation: sourceLocation)
    expectCompiledStepsMatchRecorded({ LinearRegression(features: 6, optimizer: optimizer, loss: .huber(delta: 0.5),
                                                        policy: GradientPolicy(l2: 0.01, clipNorm: 1)) }, regression, sourceLocation: sourceLocation)
    expectCompiledStepsMatchRecorded({ LinearRegression(features: 8, optimizer: optimizer, interceptLearningRate: nil) },
                                     regression, sourceLocation: sourceLocation)
}

@Test func sgdCompiledStepsMatchRecorded() { expectLinearModelsCompile(SGD(learningRate: .constant(0.02))) }
@Test func momentumCompiledStepsMatchRecorded() { expectLinearModelsCompile(SGD(learningRate: .step(0.05, factor: 0.5, every: 50), momentum: 0.5)) }
@Test func inverseScalingCompiledStepsMatchRecorded() { expectLinearModelsCompile(SGD(learningRate: .inverseScaling(0.05, power: 0.5))) }
@Test func adaGradCompiledStepsMatchRecorded() { expectLinearModelsCompile(AdaGrad(learningRate: .constant(0.05))) }
@Test func rmspropCompiledStepsMatchRecorded() { expectLinearModelsCompile(RMSprop(learningRate: .constant(0.01))) }
@Test func adamCompiledStepsMatchRecorded() { expectLinearModelsCompile(Adam(learningRate: .constant(0.01))) }
@Test func adamWCompiledStepsMatchRecorded() { expectLinearModelsCompile(Adam.adamW(learningRate: .constant(0.01), weightDecay: 0.01)) }
@Test func ftrlCompiledStepsMatchRecorded() { expectLinearModelsCompile(FTRLProximal(alpha: 0.1, beta: 1, l1: 0.01, l2: 0.1)) }

@Test func compiledStepsRefuseWhatRecordedStepsRefuse() {
    // After a first, ordinary event: non-finite values (dense and sparse, alone or with a bad
    // label), bad labels, positions out of range, a gradient that overflows, and one whose two
    // slots' sums of squares are finite apart but not together (learned), between good events.
    let hostile: [(FeatureVector, Double)] = [
        (FeatureVector(dense: [1, 2, 3]), 1),
        (FeatureVector(dense: [1, .infinity, 3]), 1),
        (FeatureVector(dense: [.nan, 0, 0]), 0),
        (FeatureVector(dense: [1, .nan, 0]), 0.5),
        (FeatureVector(dense: [1, 1, 1]), 0.5),
        (FeatureVector(dense: [1, 1, 1]), .nan),
        (FeatureVector(indices: [0, 7], values: [1, 1]), 1),
        (FeatureVector(indices: [2], values: [-.infinity]), 1),
        (FeatureVector(indices: [0, 2], values: [0.5, -1]), 0),
        (FeatureVector(dense: [1, 1, 1, 1]), 1),
        (FeatureVector(dense: [0.2, -0.4, 1]), 0),
    ]
    expectCompiledStepsMatchRecorded({ LogisticRegression(features: 3, optimizer: Adam(learningRate: .constant(0.1))) }, hostile)
    let huge: [(FeatureVector, Double)] = [
        (FeatureVector(dense: [1, 0]), 2),
        (FeatureVector(dense: [1e200, 1e200]), 1e300),
        (FeatureVector(dense: [1, 0]), 6e153),
        (FeatureVector(dense: [1, .infinity]), 1),
        (FeatureVector(dense: [1, 1]), .infinity),
        (FeatureVector(dense: [0.5, -1]), 3),
        // Sparse: gradients that overflow, one large but finite, a bias whose square overflows
        // (the loss, r^2, does not; the slope 2r squared does), a position repeated.
        (FeatureVector(indices: [1], values: [1e200]), 1e300),
        (FeatureVector(indices: [0], values: [1e160]), 1),
        (FeatureVector(indices: [1, 0], values: [1e140, 1]), 1e10),
        (FeatureVector(indices: [0], values: [1e-10]), 1e154),
        (FeatureVector(indices: [1, 1], values: [0.5, -0.25]), 2),
        (FeatureVector(indices: [0], values: [2]), 1),
    ]
    expectCompiledStepsMatchRecorded({ LinearRegression(features: 2, optimizer: SGD(learningRate: .constant(0.1)), interceptLearningRate: nil) }, huge)
    expectCompiledStepsMatchRecorded({ LinearRegression(features: 2, optimizer: SGD(learningRate: .constant(0.1))) }, huge)
}

@Test func compiledStepsClipAndKeepSignedZerosAsRecordedStepsDo() {
    // A small value clip that most gradients reach, and a feature that is always +0 or -0 under
    // weights that start at -0: the fused update clips before it adds 0 and must still give the
    // recorded step's bits (adding 0 turns a -0 gradient into +0, which leaves a -0 weight at -0).
    var rng = SplitMix64(seed: 7)
    // Every third event sparse, over the two middle positions, one of them repeated at times.
    let stream: [(FeatureVector, Double)] = (0..<300).map { k in
        let a = rng.nextGaussian(), b = 3 * rng.nextGaussian()
        let x = k % 3 == 2 ? FeatureVector(indices: k % 2 == 0 ? [1, 2] : [2, 1, 2], values: k % 2 == 0 ? [a, b] : [b, a, -b / 2])
                           : FeatureVector(dense: [k % 2 == 0 ? 0.0 : -0.0, a, b, 0])
        return (x, a > 0 ? 1 : 0)
    }
    for optimizer in [SGD(learningRate: .constant(0.5)), SGD(learningRate: .constant(0.5), momentum: 0.5)] {
        for clip in [0.05, 1e12] {
            expectCompiledStepsMatchRecorded({
                var model = LogisticRegression(features: 4, optimizer: optimizer, policy: GradientPolicy(clipValue: clip))
                model.parameters.tensors[0] = Tensor([-0.0, -0.0, 0.0, -0.0])
                return model
            }, stream)
            let trained = { () -> LogisticRegression<SGD> in
                var model = LogisticRegression(features: 4, optimizer: optimizer, policy: GradientPolicy(clipValue: clip))
                model.parameters.tensors[0] = Tensor([-0.0, -0.0, 0.0, -0.0])
                for (x, y) in stream { model.learn(x, label: y) }
                return model
            }()
            #expect(trained.weights[0].sign == .minus && trained.weights[0] == 0, "a weight whose feature is always 0 stays -0")
        }
    }
}

@Test func graphsWithoutACompiledFormAreRecordedEachEvent() throws {
    let binary = events(50, task: .binary, width: 6)
    var softmax = SoftmaxRegression(features: 6, classes: 2, optimizer: SGD())
    var mlp = MLP(task: .binary, inputs: 6, hidden: [4], optimizer: SGD(), seed: 1)
    var fm = FactorizationMachine(task: .binary, features: 6, factors: 2, optimizer: SGD(), seed: 2)
    for (x, y) in binary {
        try softmax.learnChecked(x, label: y)
        try mlp.learnChecked(x, label: y)
        try fm.learnChecked(x, label: y)
    }
    #expect(softmax.parameters.program == nil && mlp.parameters.program == nil && fm.parameters.program == nil)
}

@Test func replayingOnAFreshTapeMatchesRecording() {
    // A compiled model given a new tape (as a caller may assign one) replays on its buffers
    // (a norm clip makes the replay write its gradients there rather than fuse the update).
    let hashed = events(100, task: .binary, width: 1 << 10, active: 5)
    var compiled = LogisticRegression(features: 1 << 10, optimizer: Adam(learningRate: .constant(0.01)),
                                      policy: GradientPolicy(clipValue: 1e12, clipNorm: 0.5))
    var recorded = compiled
    recorded.parameters.compilesStep = false
    for (i, (x, y)) in hashed.enumerated() {
        if i == 50 { compiled.parameters.tape = GradientTape() }
        compiled.learn(x, label: y)
        recorded.learn(x, label: y)
    }
    #expect(compiled.parameters.program != nil)
    let same = compiled.stateBlob() == recorded.stateBlob()
    #expect(same)
}

@Test func theValueClipIsLeftOutOnlyWhereNoEntryCanReachIt() {
    // The compiled step drops the clip from the optimizer's loop when the weights' sum of
    // squares shows that no entry reaches it; an entry a hair above or at the clip keeps it.
    let clip = GradientPolicy(clipValue: 0.5)
    let above = 0.5.nextUp, below = 0.5 * (1 - 0x1p-19)
    #expect(!clip.clipCannotBind(squares: above * above))
    #expect(!clip.clipCannotBind(squares: 0.25))
    #expect(clip.clipCannotBind(squares: below * below))
    #expect(clip.clipCannotBind(squares: 0))
    #expect(!GradientPolicy(l2: 0.1, clipValue: 0.5).clipCannotBind(squares: 0), "a penalty is added before the clip")
    #expect(!GradientPolicy(clipValue: 1e-200).clipCannotBind(squares: 0), "an entry's square could underflow")
    #expect(GradientPolicy(clipValue: 1e200).clipCannotBind(squares: 1e300))
    #expect(GradientPolicy().clipCannotBind(squares: 1e300))
    #expect(clip.withoutValueClip == GradientPolicy())
}
