#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import EddyCodec
import EddyFeatures

/// Gaussian naive Bayes, as River's `naive_bayes.GaussianNB`: class priors from counts and,
/// per class and feature, a running normal distribution (River's `proba.Gaussian` with
/// `ddof = 0`, as River's `GaussianNB` configures it). A feature a class has never seen
/// contributes River's floor `log(1e-9)`; a density is floored the same way
/// (`log(1e-9 + pdf)`), so a zero variance does not produce `-inf`.
///
/// Features are positions of the `FeatureVector`; a sparse vector simply does not observe the
/// positions it omits (River's missing dictionary keys). Per class, the model keeps one
/// estimator per position up to the largest position seen, so positions must stay below
/// `featureLimit` (2^18 unless told otherwise); events beyond it are refused.
///
/// ```swift
/// var nb = GaussianNaiveBayes(task: .binary)
/// nb.learn(FeatureVector(dense: [1.0, 2.0]), label: 1)
/// var proba = [Double]()
/// nb.predict(FeatureVector(dense: [0.9, 2.1]), into: &proba) // [0, 1]
/// try nb.validatedLearn(FeatureVector(dense: [.nan, 0]), label: 0) // throws .nonFiniteFeature
/// ```
public struct GaussianNaiveBayes: Learner, Equatable {
    public let task: LearningTask
    /// Feature positions must be below this.
    public let featureLimit: Int
    /// Events refused by `learn(_:label:)` because of a non-finite feature or an invalid label.
    public private(set) var rejectedEvents: Int = 0
    /// Classes in the order they were first seen (River's `Counter` order).
    private var classOrder: [Int] = []
    private var classCounts: [Double]
    private var estimators: [[GaussianEstimator]]

    private static let densityFloor = 10e-10
    private static let logDensityFloor = log(densityFloor)

    /// A model for a binary or multiclass task; labels are class indices.
    public init(task: LearningTask, featureLimit: Int = 1 << 18) {
        precondition(task != .regression, "GaussianNaiveBayes is a classifier")
        precondition(featureLimit > 0 && featureLimit <= Int(Int32.max), "featureLimit must lie in 1...Int32.max")
        self.task = task
        self.featureLimit = featureLimit
        classCounts = [Double](repeating: 0, count: task.outputCount)
        estimators = [[GaussianEstimator]](repeating: [], count: task.outputCount)
    }

    /// Learns from one event, or refuses it with the reason, leaving the model untouched.
    public mutating func validatedLearn(_ x: FeatureVector, label: Double) throws(LearnerInputError) {
        if let error = LearnerInputError.check(x, label: label, task: task, featureLimit: featureLimit) { throw error }
        let y = Int(label)
        if classCounts[y] == 0 { classOrder.append(y) }
        classCounts[y] += 1
        x.forEach { position, value in
            if position >= estimators[y].count {
                estimators[y].append(contentsOf: repeatElement(GaussianEstimator(ddof: 0),
                                                               count: position + 1 - estimators[y].count))
            }
            estimators[y][position].update(value)
        }
    }

    /// Learns from one event; an event with a non-finite feature or an invalid label is not
    /// learned but counted in `rejectedEvents` (use `validatedLearn` to see why).
    public mutating func learn(_ x: FeatureVector, label: Double) {
        do { try validatedLearn(x, label: label) } catch { rejectedEvents += 1 }
    }

    /// Class probabilities (River's `predict_proba_one`); all zero before the first label.
    /// `x` should be finite (see `FeatureVector.firstNonFinite`); a NaN makes the probabilities NaN.
    public func predict(_ x: FeatureVector, into output: inout [Double]) {
        let classes = task.outputCount
        if output.count != classes { output = [Double](repeating: 0, count: classes) }
        for c in 0..<classes { output[c] = 0 }
        guard !classOrder.isEmpty else { return }
        var total = 0.0
        for c in classOrder { total += classCounts[c] }
        var maxLL = -Double.infinity
        for c in classOrder {
            let gaussians = estimators[c]
            var sum = 0.0
            x.forEach { position, value in
                if position < gaussians.count, gaussians[position].count > 0 {
                    sum += log(Self.densityFloor + gaussians[position].pdf(value))
                } else {
                    sum += Self.logDensityFloor
                }
            }
            let ll = log(classCounts[c] / total) + sum
            output[c] = ll
            if ll > maxLL { maxLL = ll }
        }
        var sumExp = 0.0
        for c in classOrder { sumExp += exp(output[c] - maxLL) }
        let lse = maxLL + log(sumExp)
        for c in classOrder { output[c] = exp(output[c] - lse) }
    }

    private static let stateKind = "gaussian-nb"

    /// The model as a versioned, checksummed blob.
    public func serialized() -> [UInt8] {
        var writer = StateWriter(kind: Self.stateKind, version: 1)
        IncrementalState.write(task, to: &writer)
        writer.write(featureLimit)
        writer.write(rejectedEvents)
        writer.write(classOrder)
        writer.write(classCounts)
        for perClass in estimators {
            writer.write(perClass.count)
            for g in perClass { g.write(to: &writer) }
        }
        return writer.finish()
    }

    /// Restores a model written by `serialized()`; a corrupted or truncated blob is refused.
    public init(restoring blob: [UInt8]) throws(StateError) {
        var reader = try StateReader(blob, kind: Self.stateKind, supported: 1...1)
        task = try IncrementalState.readClassificationTask(from: &reader)
        let classes = task.outputCount
        featureLimit = try reader.readInt()
        guard featureLimit > 0, featureLimit <= Int(Int32.max) else { throw .invalid("feature limit \(featureLimit)") }
        rejectedEvents = try reader.readInt()
        classOrder = try IncrementalState.readClassOrder(from: &reader, classes: classes)
        classCounts = try IncrementalState.readDoubles(from: &reader, count: classes)
        estimators = []
        for _ in 0..<classes {
            let count = try reader.readInt()
            guard count >= 0, count <= featureLimit, count <= blob.count / 24 else {
                throw .invalid("\(count) estimators")
            }
            var perClass = [GaussianEstimator]()
            perClass.reserveCapacity(count)
            for _ in 0..<count { perClass.append(try GaussianEstimator.read(from: &reader, ddof: 0)) }
            estimators.append(perClass)
        }
        for c in 0..<classes where (classCounts[c] > 0) != classOrder.contains(c) {
            throw .invalid("class \(c) count disagrees with the class list")
        }
        try reader.finish()
    }
}
