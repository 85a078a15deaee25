import EddyLearn

/// Work to do with a learner of a concrete type: `withSpecialisedLearner` opens the learner's
/// type and calls `run` with it, so the per-event path inside is compiled for that type.
///
/// ```swift
/// struct CountParameters: LearnerTypedWork {
///     func run<L: PersistentLearner>(_ learner: L) throws -> Int { learner.stateBlob().count }
/// }
/// let size = try withSpecialisedLearner(try spec.makeLearner(), CountParameters())
/// ```
protocol LearnerTypedWork {
    associatedtype Result
    func run<L: PersistentLearner>(_ learner: L) throws -> Result
}

/// Calls `work` with the learner as its concrete type. For the common learners the type is
/// named here, so the compiler specialises the whole per-event path for it; the rest run as
/// generic code. Every driver of `Prequential` over Kafka (`eddy run`, `eddy replay`) goes
/// through this one switch.
func withSpecialisedLearner<W: LearnerTypedWork>(_ learner: any PersistentLearner, _ work: W) throws -> W.Result {
    switch learner {
    case let model as LogisticRegression<SGD>: try work.run(model)
    case let model as LogisticRegression<Adam>: try work.run(model)
    case let model as LogisticRegression<AdaGrad>: try work.run(model)
    case let model as LogisticRegression<FTRLProximal>: try work.run(model)
    case let model as LinearRegression<SGD>: try work.run(model)
    case let model as LinearRegression<Adam>: try work.run(model)
    case let model as HoeffdingTreeClassifier: try work.run(model)
    case let model as GaussianNaiveBayes: try work.run(model)
    default: try work.run(learner)
    }
}
