import EddyFeatures

/// Why a learner refused an event (nothing was learned from it).
///
/// ```swift
/// do { try model.learnChecked(x, label: y) }
/// catch { log("skipped event: \(error)") }  // e.g. "feature 3 is NaN"
/// ```
public enum LearnError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A feature value is NaN or infinite.
    case nonFiniteFeature(position: Int, value: Double)
    /// The label does not fit the task (not 0/1, not a class index, or not finite).
    case invalidLabel(Double, task: LearningTask)
    /// The loss or a gradient came out NaN or infinite; the weights were left as they were.
    case nonFiniteGradient
    /// A feature position lies outside the model's input width.
    case featureOutOfRange(position: Int, width: Int)

    public var description: String {
        switch self {
        case .nonFiniteFeature(let position, let value):
            "feature \(position) is \(value); clean or impute it before learning"
        case .invalidLabel(let label, let task):
            "label \(label) does not fit task \(task)"
        case .nonFiniteGradient:
            "the gradient is NaN or infinite (exploding); configure clipping or lower the learning rate"
        case .featureOutOfRange(let position, let width):
            "feature position \(position) is outside the model's \(width) inputs"
        }
    }

    /// Checks features and label before anything reaches the weights.
    @inline(__always)
    static func validate(_ x: FeatureVector, label: Double, task: LearningTask, width: Int) throws(LearnError) {
        if let error = nonFiniteValue(in: x) ?? misfit(x, label: label, task: task, width: width) { throw error }
    }

    /// The error for the first non-finite feature value of `x`, if any.
    @inline(__always)
    static func nonFiniteValue(in x: FeatureVector) -> LearnError? {
        // inf * 0 and NaN * 0 are NaN: one branch-free pass finds any non-finite value (four
        // interleaved sums, so the additions do not wait on each other).
        let probe = x.values.withUnsafeBufferPointer { v in
            var a0 = 0.0, a1 = 0.0, a2 = 0.0, a3 = 0.0
            var i = 0
            while i &+ 4 <= v.count {
                a0 += v[i] * 0; a1 += v[i &+ 1] * 0; a2 += v[i &+ 2] * 0; a3 += v[i &+ 3] * 0
                i &+= 4
            }
            while i < v.count { a0 += v[i] * 0; i &+= 1 }
            return a0 + a1 + a2 + a3
        }
        guard probe != 0, let bad = x.firstNonFinite else { return nil }
        return .nonFiniteFeature(position: bad.position, value: bad.value)
    }

    /// What `validate` checks besides the feature values: a position outside the model's
    /// inputs, or a label that does not fit the task.
    @inline(__always)
    static func misfit(_ x: FeatureVector, label: Double, task: LearningTask, width: Int) -> LearnError? {
        if !x.fits(width) {
            // The first position out of range, named in the error.
            let position = x.isDense ? x.count - 1 : Int(x.indices.first { $0 < 0 || Int($0) >= width }!)
            return .featureOutOfRange(position: position, width: width)
        }
        switch task {
        case .binary:
            if label != 0 && label != 1 { return .invalidLabel(label, task: task) }
        case .multiclass(let classes):
            if !(label >= 0 && label < Double(classes) && label == label.rounded()) { return .invalidLabel(label, task: task) }
        case .regression:
            if !label.isFinite { return .invalidLabel(label, task: task) }
        }
        return nil
    }
}

extension FeatureVector {
    /// Whether every stored position lies in `0 ..< width` (checked before unchecked reads):
    /// the least and the greatest position, found in a loop without branches, which the
    /// compiler vectorises.
    @inline(__always)
    func fits(_ width: Int) -> Bool {
        if isDense { return count <= width }
        return indices.withUnsafeBufferPointer { idx in
            var least = Int32.max, greatest = Int32.min
            for i in 0..<idx.count {
                least = min(least, idx[i])
                greatest = max(greatest, idx[i])
            }
            return least >= 0 && Int(greatest) < width
        }
    }
}
