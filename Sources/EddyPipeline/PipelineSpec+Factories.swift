import EddyCodec
import EddyDrift
import EddyLearn

extension PipelineSpec {
    /// A fresh learner as the spec describes it, over `featureWidth` inputs.
    public func makeLearner() throws(PipelineError) -> any PersistentLearner {
        guard let optimizer else { return makeIncremental() }
        let rate: LearningRate = switch optimizer.schedule {
        case .constant: .constant(optimizer.lr)
        case .inverseScaling: .inverseScaling(optimizer.lr, power: optimizer.power)
        case .step: .step(optimizer.lr, factor: optimizer.stepFactor, every: optimizer.stepEvery)
        }
        switch optimizer.kind {
        case .sgd: return makeGradient(SGD(learningRate: rate, momentum: optimizer.momentum))
        case .adagrad: return makeGradient(AdaGrad(learningRate: rate, epsilon: optimizer.epsilon))
        case .rmsprop: return makeGradient(RMSprop(learningRate: rate, rho: optimizer.rho, epsilon: optimizer.epsilon))
        case .adam, .adamw:
            return makeGradient(Adam(learningRate: rate, beta1: optimizer.beta1, beta2: optimizer.beta2,
                                     epsilon: optimizer.epsilon, weightDecay: optimizer.weightDecay))
        case .ftrl:
            return makeGradient(FTRLProximal(alpha: optimizer.lr, beta: optimizer.ftrlBeta, l1: optimizer.l1, l2: optimizer.l2))
        }
    }

    /// A learner restored from a state blob that `makeLearner()`'s learner (or one restored
    /// from it) wrote; a blob of another learner or optimizer kind is refused.
    public func restoreLearner(from blob: [UInt8]) throws(PipelineError) -> any PersistentLearner {
        do {
            switch learner.kind {
            case .gaussianNB: return try checked(GaussianNaiveBayes(stateBlob: blob))
            case .hoeffdingTree: return try checked(HoeffdingTreeClassifier(stateBlob: blob))
            default: break
            }
            switch optimizer?.kind ?? .sgd {
            case .sgd: return try checked(restoreGradient(SGD.self, blob))
            case .adagrad: return try checked(restoreGradient(AdaGrad.self, blob))
            case .rmsprop: return try checked(restoreGradient(RMSprop.self, blob))
            case .adam, .adamw: return try checked(restoreGradient(Adam.self, blob))
            case .ftrl: return try checked(restoreGradient(FTRLProximal.self, blob))
            }
        } catch let error as StateError {
            throw .stateRefused(error.description)
        } catch let error as PipelineError {
            throw error
        } catch {
            throw .stateRefused("\(error)")
        }
    }

    /// A fresh drift detector as the spec describes it (parameters were checked at load).
    public func makeDetector() -> any DriftDetector {
        do { return try DetectorCatalog.make(drift.detector, parameters: drift.params) } catch {
            preconditionFailure("drift parameters were validated at load: \(error)")
        }
    }

    /// A decoder for this spec's events.
    public func makeDecoder() -> EventDecoder { EventDecoder(spec: self) }

    private func checked(_ restored: any PersistentLearner) throws(PipelineError) -> any PersistentLearner {
        guard restored.task == learningTask else {
            throw .stateRefused("the blob holds a learner for \(restored.task), the pipeline's task is \(learningTask)")
        }
        return restored
    }

    private var gradientPolicy: GradientPolicy {
        guard let optimizer else { return GradientPolicy() }
        let ftrl = optimizer.kind == .ftrl
        return GradientPolicy(l1: ftrl ? 0 : optimizer.l1, l2: ftrl ? 0 : optimizer.l2,
                              clipValue: optimizer.clipValue, clipNorm: optimizer.clipNorm)
    }

    private func makeGradient<O: EddyLearn.Optimizer>(_ opt: O) -> any PersistentLearner {
        let width = featureWidth
        var policy = gradientPolicy
        switch learner.kind {
        case .logisticRegression:
            if policy.clipValue == .infinity { policy.clipValue = 1e12 }
            return LogisticRegression(features: width, optimizer: opt, loss: learner.loss == "hinge" ? .hinge : .log, policy: policy,
                                      interceptLearningRate: learner.interceptLR.map { .constant($0) })
        case .linearRegression:
            if policy.clipValue == .infinity { policy.clipValue = 1e12 }
            return LinearRegression(features: width, optimizer: opt,
                                    loss: learner.loss == "huber" ? .huber(delta: learner.huberDelta) : .squared, policy: policy,
                                    interceptLearningRate: learner.interceptLR.map { .constant($0) })
        case .softmaxRegression:
            return SoftmaxRegression(features: width, classes: features.classes.count, optimizer: opt, policy: policy)
        case .mlp:
            let activation: Activation = switch learner.activation {
            case "tanh": .tanh
            case "sigmoid": .sigmoid
            case "identity": .identity
            default: .relu
            }
            return MLP(task: learningTask, inputs: width, hidden: learner.hidden, activation: activation,
                       optimizer: opt, policy: policy, seed: learner.seed)
        case .factorizationMachine:
            return FactorizationMachine(task: learningTask, features: width, factors: learner.factors, optimizer: opt,
                                        policy: policy, initialScale: learner.initScale, seed: learner.seed)
        case .gaussianNB, .hoeffdingTree:
            return makeIncremental()
        }
    }

    private func restoreGradient<O: EddyLearn.Optimizer>(_: O.Type, _ blob: [UInt8]) throws -> any PersistentLearner {
        switch learner.kind {
        case .logisticRegression: try LogisticRegression<O>(stateBlob: blob)
        case .linearRegression: try LinearRegression<O>(stateBlob: blob)
        case .softmaxRegression: try SoftmaxRegression<O>(stateBlob: blob)
        case .mlp: try MLP<O>(stateBlob: blob)
        case .factorizationMachine: try FactorizationMachine<O>(stateBlob: blob)
        case .gaussianNB: try GaussianNaiveBayes(stateBlob: blob)
        case .hoeffdingTree: try HoeffdingTreeClassifier(stateBlob: blob)
        }
    }

    private func makeIncremental() -> any PersistentLearner {
        if learner.kind == .gaussianNB { return GaussianNaiveBayes(task: learningTask, featureLimit: featureWidth) }
        let leaf: LeafPrediction = switch learner.leafPrediction {
        case "majority": .majorityClass
        case "naive_bayes": .naiveBayes
        default: .naiveBayesAdaptive
        }
        return HoeffdingTreeClassifier(task: learningTask, gracePeriod: learner.gracePeriod, maxDepth: learner.maxDepth,
                                       splitCriterion: learner.splitCriterion == "gini" ? .gini : .infoGain,
                                       splitConfidence: learner.splitConfidence, tieThreshold: learner.tieThreshold,
                                       leafPrediction: leaf, featureLimit: featureWidth)
    }
}
