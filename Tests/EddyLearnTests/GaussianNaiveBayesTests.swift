import EddyCodec
import EddyFeatures
import Foundation
@testable import EddyLearn
import Testing

@Suite struct GaussianNaiveBayesTests {
    @Test(arguments: [("agrawal", 2), ("rbf", 5)])
    func predictsExactlyAsRiver(name: String, classes: Int) throws {
        let stream = try ReferenceStream(name, classes: classes)
        var model = GaussianNaiveBayes(task: stream.task)
        let run = prequential(&model, on: stream)
        var mismatches = 0
        for t in 0..<run.labels.count where run.labels[t] != stream.riverNB[t] { mismatches += 1 }
        #expect(mismatches == 0, "\(name): \(mismatches) predictions differ from River's")

        for line in try ReferenceStream.lines(of: "nb_proba").dropFirst() {
            let fields = line.split(separator: ",")
            guard fields[0] == name else { continue }
            let t = Int(fields[1])!
            for c in 0..<classes {
                let river = Double(fields[2 + c])!
                #expect(abs(run.probabilities[t][c] - river) <= 1e-9, "\(name) event \(t) class \(c)")
            }
        }
    }

    @Test func unseenFeaturesAndZeroVarianceUseRiversFloor() {
        var model = GaussianNaiveBayes(task: .binary)
        model.learn(FeatureVector(dense: [1, 5]), label: 0)
        model.learn(FeatureVector(dense: [1, 7]), label: 0)
        model.learn(FeatureVector(indices: [0], values: [3]), label: 1)
        var proba = [Double]()
        model.predict(FeatureVector(dense: [1, 6]), into: &proba)
        // Class 0: feature 0 has zero variance (floor), feature 1 ~ N(6, 1) (ddof 0).
        // Class 1: feature 0 seen once (zero variance, floor), feature 1 never seen (floor).
        let floor = 1e-9
        let ll0 = log(2.0 / 3.0) + log(floor) + log(floor + 1 / (2 * Double.pi).squareRoot())
        let ll1 = log(1.0 / 3.0) + log(floor) + log(floor)
        let p0 = 1 / (1 + exp(ll1 - ll0))
        #expect(abs(proba[0] - p0) < 1e-14)
        #expect(abs(proba[1] - (1 - p0)) < 1e-14)
    }

    @Test func restoreAndContinueEqualsUninterruptedTraining() throws {
        let stream = try ReferenceStream("rbf", classes: 5)
        var uninterrupted = GaussianNaiveBayes(task: stream.task)
        _ = prequential(&uninterrupted, on: stream, range: 0..<10_000)
        let blob = uninterrupted.serialized()
        var restored = try GaussianNaiveBayes(restoring: blob)
        #expect(restored == uninterrupted)
        #expect(restored.serialized() == blob)
        let a = prequential(&uninterrupted, on: stream, range: 10_000..<20_000)
        let b = prequential(&restored, on: stream, range: 10_000..<20_000)
        #expect(a.probabilities.map { $0.map(\.bitPattern) } == b.probabilities.map { $0.map(\.bitPattern) })
        #expect(restored.serialized() == uninterrupted.serialized())
    }

    @Test func corruptedOrTruncatedBlobsAreRefused() throws {
        var model = GaussianNaiveBayes(task: .multiclass(classes: 3))
        model.learn(FeatureVector(dense: [1, 2, 3]), label: 2)
        model.learn(FeatureVector(dense: [2, 2, 1]), label: 0)
        let blob = model.serialized()
        for cut in [1, 8, blob.count / 2, blob.count - 1] {
            #expect(throws: StateError.self) { try GaussianNaiveBayes(restoring: Array(blob.prefix(cut))) }
        }
        for i in stride(from: 0, to: blob.count, by: 7) {
            var flipped = blob
            flipped[i] ^= 0x20
            #expect(throws: StateError.self) { try GaussianNaiveBayes(restoring: flipped) }
        }
        let tree = HoeffdingTreeClassifier(task: .binary).serialized()
        #expect(throws: StateError.wrongKind(expected: "gaussian-nb", found: "hoeffding-tree")) {
            try GaussianNaiveBayes(restoring: tree)
        }
    }

    @Test func hostileNumbersAreRefusedBeforeTheyReachTheModel() throws {
        var model = GaussianNaiveBayes(task: .binary)
        model.learn(FeatureVector(dense: [1, 2]), label: 1)
        let before = model.serialized()
        #expect(throws: LearnerInputError.nonFiniteFeature(position: 1, value: .infinity)) {
            try model.validatedLearn(FeatureVector(dense: [1, .infinity]), label: 0)
        }
        #expect(throws: LearnerInputError.self) {
            try model.validatedLearn(FeatureVector(indices: [40], values: [.nan]), label: 0)
        }
        #expect(throws: LearnerInputError.invalidLabel(2, task: .binary)) {
            try model.validatedLearn(FeatureVector(dense: [1, 2]), label: 2)
        }
        #expect(throws: LearnerInputError.self) {
            try model.validatedLearn(FeatureVector(dense: [1, 2]), label: .nan)
        }
        #expect(throws: LearnerInputError.featurePositionOutOfRange(position: 1 << 18, limit: 1 << 18)) {
            try model.validatedLearn(FeatureVector(indices: [3, 1 << 18], values: [1, 1]), label: 0)
        }
        #expect(throws: LearnerInputError.featurePositionOutOfRange(position: -5, limit: 1 << 18)) {
            try model.validatedLearn(FeatureVector(indices: [-5], values: [1]), label: 0)
        }
        #expect(model.serialized() == before)
        model.learn(FeatureVector(dense: [-.infinity, 0]), label: 0)
        model.learn(FeatureVector(dense: [0, 0]), label: 0.5)
        #expect(model.rejectedEvents == 2)
        var proba = [Double]()
        model.predict(FeatureVector(dense: [1, 2]), into: &proba)
        #expect(proba == [0, 1])
    }
}
