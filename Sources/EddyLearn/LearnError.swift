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
        if probe != 0, let bad = x.firstNonFinite { throw .nonFiniteFeature(position: bad.position, value: bad.value) }
        if x.isDense {
            if x.count > width { throw .featureOutOfRange(position: x.count - 1, width: width) }
        } else {
            for i in x.indices where i < 0 || Int(i) >= width { throw .featureOutOfRange(position: Int(i), width: width) }
        }
        switch task {
        case .binary:
            if label != 0 && label != 1 { throw .invalidLabel(label, task: task) }
        case .multiclass(let classes):
            if !(label >= 0 && label < Double(classes) && label == label.rounded()) { throw .invalidLabel(label, task: task) }
        case .regression:
            if !label.isFinite { throw .invalidLabel(label, task: task) }
        }
    }
}

extension FeatureVector {
    /// Whether every stored position lies in `0 ..< width` (checked before unchecked reads).
    @inline(__always)
    func fits(_ width: Int) -> Bool {
        if isDense { return count <= width }
        return indices.withUnsafeBufferPointer { idx in
            var ok = true
            for i in 0..<idx.count { ok = ok && idx[i] >= 0 && Int(idx[i]) < width }
            return ok
        }
    }
}
