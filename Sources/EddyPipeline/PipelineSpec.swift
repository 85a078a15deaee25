import EddyLearn

/// A pipeline file, validated: where events come from, how they are read, what is learned
/// and how, and how state is kept. Load it with `load(path:environment:)`; build the live
/// objects with `makeDecoder()`, `makeLearner()` and `makeDetector()`.
///
/// ```swift
/// let spec = try PipelineSpec.load(path: "pipelines/demo.yaml", environment: ProcessInfo.processInfo.environment)
/// var decoder = spec.makeDecoder()
/// var learner = try spec.makeLearner()     // input width spec.featureWidth
/// let snapshot = spec.redactedJSON()       // for the runs table: no secrets
/// ```
public struct PipelineSpec: Sendable {
    /// The prediction task.
    public enum Task: String, Sendable, CaseIterable { case binary, multiclass, regression }

    /// The Kafka source.
    public struct Source: Sendable, Equatable {
        public var brokers: String
        public var topics: [String]
        public var group: String
        /// librdkafka properties, passed through by name.
        public var properties: [String: String]
        public var deadLetterTopic: String?
        public var maxMessageBytes: Int
    }

    /// How an event's bytes are laid out.
    public enum Format: Sendable, Equatable {
        case json
        /// One CSV line per message, with these column names, split on `delimiter`.
        case csv(columns: [String], delimiter: UInt8)
    }

    /// How numeric fields are scaled.
    public enum Scaling: String, Sendable, CaseIterable { case none, standard }

    /// Which fields become features, and which is the label.
    public struct Features: Sendable, Equatable {
        public var numeric: [String]
        public var categorical: [String]
        public var hashBits: Int
        public var hashSeed: UInt32
        /// A field holding an array of exactly `vectorSize` numbers.
        public var vector: String?
        public var vectorSize: Int
        public var scale: Scaling
        /// Numeric and vector values beyond ±this are refused (the event is dead-lettered);
        /// nil accepts any finite value.
        public var maxAbsValue: Double?
        public var label: String
        /// Label values in class order (class `i` is `classes[i]`); empty when not given.
        public var classes: [String]
    }

    public enum LearnerKind: String, Sendable, CaseIterable {
        case logisticRegression = "logistic_regression", linearRegression = "linear_regression"
        case softmaxRegression = "softmax_regression", mlp, factorizationMachine = "factorization_machine"
        case gaussianNB = "gaussian_nb", hoeffdingTree = "hoeffding_tree"

        /// Whether the learner is trained by gradient (and so has an optimizer).
        public var usesOptimizer: Bool { self != .gaussianNB && self != .hoeffdingTree }

        /// The tasks the learner can do.
        public var tasks: [Task] {
            switch self {
            case .logisticRegression: [.binary]
            case .linearRegression: [.regression]
            case .softmaxRegression: [.multiclass]
            case .mlp: [.binary, .multiclass, .regression]
            case .factorizationMachine: [.binary, .regression]
            case .gaussianNB, .hoeffdingTree: [.binary, .multiclass]
            }
        }
    }

    /// The learner and its hyperparameters (those that do not apply to `kind` keep their defaults).
    public struct Learner: Sendable, Equatable {
        public var kind: LearnerKind
        /// `log` or `hinge` (logistic regression); `squared` or `huber` (linear regression).
        public var loss: String
        public var huberDelta: Double
        /// The intercept's own learning rate (linear and logistic regression); nil uses the optimizer's.
        public var interceptLR: Double?
        public var hidden: [Int]
        public var activation: String
        public var factors: Int
        public var initScale: Double
        public var seed: UInt64
        public var gracePeriod: Int
        public var maxDepth: Int?
        public var splitCriterion: String
        public var splitConfidence: Double
        public var tieThreshold: Double
        public var leafPrediction: String
    }

    public enum OptimizerKind: String, Sendable, CaseIterable { case sgd, adagrad, rmsprop, adam, adamw, ftrl }
    public enum Schedule: String, Sendable, CaseIterable { case constant, inverseScaling = "inverse_scaling", step }

    /// The optimizer of a gradient learner, its learning-rate schedule and gradient policy.
    public struct Optimizer: Sendable, Equatable {
        public var kind: OptimizerKind
        public var lr: Double
        public var schedule: Schedule
        public var power: Double
        public var stepFactor: Double
        public var stepEvery: Int
        public var momentum: Double
        public var beta1: Double
        public var beta2: Double
        public var epsilon: Double
        public var rho: Double
        public var weightDecay: Double
        public var ftrlBeta: Double
        public var l1: Double
        public var l2: Double
        public var clipValue: Double
        public var clipNorm: Double
    }

    public enum Watch: String, Sendable, CaseIterable { case error, loss }

    /// The drift detector and what it is fed.
    public struct Drift: Sendable, Equatable {
        public var detector: String
        public var params: [String: String]
        /// `error`: 1/0 misclassification (absolute error for regression); `loss`: the event's loss.
        public var watch: Watch
    }

    /// What a drift does to the live model when no background learner is promoted.
    public enum AdaptationPolicy: String, Sendable, CaseIterable {
        /// Replace the live model by a fresh one.
        case reset
        /// Multiply the learning rate by `boostFactor` for `boostEvents` events.
        case boostLR = "boost_lr"
        /// Record the drift and change nothing.
        case none
    }

    /// What happens on a warning and on a drift.
    public struct Adaptation: Sendable, Equatable {
        public var policy: AdaptationPolicy
        /// Start a background learner on a detector warning (for detectors without a warning
        /// zone, on a warning from a more sensitive twin of the detector).
        public var backgroundOnWarning: Bool
        /// How much lower the background learner's error over the events both scored (the last
        /// metrics window of them) must be for it to be promoted at a drift.
        public var promoteMargin: Double
        public var boostFactor: Double
        public var boostEvents: Int
    }

    /// The automatic rollback guard.
    public struct Rollback: Sendable, Equatable {
        public var enabled: Bool
        public var metric: String
        public var margin: Double
        /// Consecutive metric windows below the best recent version before rolling back.
        public var windows: Int
        /// How many of the newest versions count as recent.
        public var lookback: Int
        public var onNonFinite: Bool
    }

    public struct Metrics: Sendable, Equatable {
        public var window: Int
        public var snapshotEvery: Int
    }

    public struct Checkpoint: Sendable, Equatable {
        public var everyEvents: Int?
        public var everySeconds: Double?
        public var onShutdown: Bool
    }

    public var name: String
    public var source: Source
    public var format: Format
    public var features: Features
    public var task: Task
    public var learner: Learner
    /// The optimizer; nil for learners that do not use one.
    public var optimizer: Optimizer?
    public var drift: Drift
    public var adaptation: Adaptation
    public var rollback: Rollback
    public var metrics: Metrics
    public var checkpoint: Checkpoint
    /// The SQLite database, resolved against the pipeline file's directory.
    public var databasePath: String
    /// The file the spec came from, as messages name it.
    public var fileName: String
    /// The resolved configuration with secrets redacted.
    public var snapshot: ConfigSnapshot

    /// The learning task with its class count.
    public var learningTask: LearningTask {
        switch task {
        case .binary: .binary
        case .multiclass: .multiclass(classes: features.classes.count)
        case .regression: .regression
        }
    }

    /// The number of feature positions: numeric fields, then the vector field, then
    /// `2^hash_bits` hashed buckets when there are categorical fields.
    public var featureWidth: Int {
        features.numeric.count + (features.vector == nil ? 0 : features.vectorSize)
            + (features.categorical.isEmpty ? 0 : 1 << features.hashBits)
    }

    /// The configuration snapshot as JSON: defaults filled in, secret Kafka properties and
    /// every value that came from `${VAR}` shown as `[redacted]`.
    public func redactedJSON() -> String { snapshot.json }
}

extension PipelineSpec {
    /// One line for people: task, learner and optimizer, feature fields, width and topics.
    public var summary: String {
        let fields = features.numeric.count + features.categorical.count + (features.vector == nil ? 0 : 1)
        let model = optimizer.map { "\(learner.kind.rawValue)/\($0.kind.rawValue)" } ?? learner.kind.rawValue
        return "\(task.rawValue), \(model), \(fields) feature fields (width \(featureWidth)), drift \(drift.detector), topics: \(source.topics.joined(separator: ", "))"
    }
}
