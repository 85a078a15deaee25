import EddyCodec
import EddyFeatures
@testable import EddyLearn
import Testing

@Suite struct HoeffdingTreeClassifierTests {
    @Test(arguments: [("agrawal", 2, SplitCriterion.infoGain), ("agrawal", 2, .gini),
                      ("rbf", 5, .infoGain), ("rbf", 5, .gini)])
    func agreesWithRiver(name: String, classes: Int, criterion: SplitCriterion) throws {
        let stream = try ReferenceStream(name, classes: classes)
        let river = criterion == .gini ? stream.riverTreeGini : stream.riverTreeInfoGain
        var tree = HoeffdingTreeClassifier(task: stream.task, splitCriterion: criterion)
        let run = prequential(&tree, on: stream)
        let n = stream.labels.count
        var agree = 0, ours = 0, theirs = 0
        for t in 0..<n {
            if run.labels[t] == river[t] { agree += 1 }
            if run.labels[t] == Int(stream.labels[t]) { ours += 1 }
            if river[t] == Int(stream.labels[t]) { theirs += 1 }
        }
        let agreement = Double(agree) / Double(n)
        let accuracyGap = abs(Double(ours - theirs)) / Double(n) * 100
        #expect(agreement >= 0.995, "\(name) \(criterion): agreement \(agreement)")
        #expect(accuracyGap <= 0.2, "\(name) \(criterion): accuracy gap \(accuracyGap) points")
        #expect(agree == n, "\(name) \(criterion): \(n - agree) predictions differ from River's")
        #expect(tree.leafCount > 1)
    }

    @Test(arguments: [("agrawal", 2, SplitCriterion.infoGain), ("rbf", 5, .gini)])
    func restoreAndContinueEqualsUninterruptedTraining(name: String, classes: Int, criterion: SplitCriterion) throws {
        let stream = try ReferenceStream(name, classes: classes)
        var uninterrupted = HoeffdingTreeClassifier(task: stream.task, splitCriterion: criterion)
        _ = prequential(&uninterrupted, on: stream, range: 0..<9_999)
        let blob = uninterrupted.serialized()
        var restored = try HoeffdingTreeClassifier(restoring: blob)
        #expect(restored.serialized() == blob)
        let a = prequential(&uninterrupted, on: stream, range: 9_999..<20_000)
        let b = prequential(&restored, on: stream, range: 9_999..<20_000)
        #expect(a.probabilities.map { $0.map(\.bitPattern) } == b.probabilities.map { $0.map(\.bitPattern) })
        #expect(restored.serialized() == uninterrupted.serialized())
        #expect(restored.leafCount == uninterrupted.leafCount)
    }

    @Test func corruptedOrTruncatedBlobsAreRefused() throws {
        let stream = try ReferenceStream("agrawal", classes: 2)
        var tree = HoeffdingTreeClassifier(task: stream.task, splitCriterion: .gini)
        _ = prequential(&tree, on: stream, range: 0..<5_000)
        #expect(tree.leafCount > 1)
        let blob = tree.serialized()
        for cut in [0, 4, 21, blob.count / 3, blob.count - 8, blob.count - 1] {
            #expect(throws: StateError.self) { try HoeffdingTreeClassifier(restoring: Array(blob.prefix(cut))) }
        }
        for i in stride(from: 0, to: blob.count, by: max(1, blob.count / 97)) {
            var flipped = blob
            flipped[i] &+= 1
            #expect(throws: StateError.self) { try HoeffdingTreeClassifier(restoring: flipped) }
        }
        #expect(throws: StateError.self) { try HoeffdingTreeClassifier(restoring: blob + [0]) }
    }

    @Test func hostileNumbersAreRefusedBeforeTheyReachTheTree() throws {
        let stream = try ReferenceStream("agrawal", classes: 2)
        var tree = HoeffdingTreeClassifier(task: stream.task)
        _ = prequential(&tree, on: stream, range: 0..<1_000)
        let before = tree.serialized()
        var hostile = stream.features[1_000]
        hostile.values[3] = .nan
        do {
            try tree.validatedLearn(hostile, label: 1)
            Issue.record("a NaN feature was learned")
        } catch {
            guard case .nonFiniteFeature(let position, let value) = error else { throw error }
            #expect(position == 3 && value.isNaN)
        }
        hostile.values[3] = -.infinity
        #expect(throws: LearnerInputError.self) { try tree.validatedLearn(hostile, label: 1) }
        #expect(throws: LearnerInputError.invalidLabel(-1, task: .binary)) {
            try tree.validatedLearn(stream.features[1_000], label: -1)
        }
        var narrow = HoeffdingTreeClassifier(task: .binary, featureLimit: 8)
        #expect(throws: LearnerInputError.featurePositionOutOfRange(position: 8, limit: 8)) {
            try narrow.validatedLearn(stream.features[0], label: 1)
        }
        #expect(throws: LearnerInputError.featurePositionOutOfRange(position: Int(Int32.max), limit: 8)) {
            try narrow.validatedLearn(FeatureVector(indices: [Int32.max], values: [1]), label: 1)
        }
        #expect(narrow.leafCount == 0)
        #expect(tree.serialized() == before)
        tree.learn(hostile, label: 0)
        #expect(tree.rejectedEvents == 1)
    }

    @Test func missingFeaturesFollowTheHeavierBranch() throws {
        let stream = try ReferenceStream("agrawal", classes: 2)
        var tree = HoeffdingTreeClassifier(task: stream.task)
        _ = prequential(&tree, on: stream, range: 0..<5_000)
        #expect(tree.leafCount > 1)
        let empty = FeatureVector(indices: [], values: [])
        let sparseEmpty = FeatureVector(indices: [99], values: [1])
        var a = [Double](), b = [Double]()
        tree.predict(empty, into: &a)
        tree.predict(sparseEmpty, into: &b)
        #expect(a == b)
        #expect(abs(a.reduce(0, +) - 1) < 1e-12)
        let blob = tree.serialized()
        tree.learn(sparseEmpty, label: 1)
        #expect(tree.serialized() != blob)
        #expect(tree.rejectedEvents == 0)
    }
}

@Suite struct HoeffdingTreeMemoryTests {
    /// With a tiny budget, the size estimate deactivates the least promising leaves; the tree
    /// keeps predicting, its counts stay consistent and its state still round-trips.
    @Test func sizeLimitDeactivatesLeavesAndKeepsPredicting() throws {
        let stream = try ReferenceStream("agrawal", classes: 2)
        var tree = HoeffdingTreeClassifier(task: stream.task, gracePeriod: 50,
                                           maxSizeMiB: 0.004, memoryEstimatePeriod: 500)
        let run = prequential(&tree, on: stream, range: 0..<8_000)
        #expect(tree.inactiveLeafCount > 0)
        #expect(tree.activeLeafCount + tree.inactiveLeafCount == tree.leafCount)
        #expect(run.probabilities.dropFirst().allSatisfy { abs($0.reduce(0, +) - 1) < 1e-9 })
        let blob = tree.serialized()
        #expect(try HoeffdingTreeClassifier(restoring: blob).serialized() == blob)
    }
}

@Suite struct HoeffdingTreeSparseTests {
    /// A sparse vector listing every position in order is the same event as the dense one:
    /// same predictions and same state, bit for bit.
    @Test func sparseAndDenseVectorsLearnTheSameTree() throws {
        let stream = try ReferenceStream("rbf", classes: 5)
        var dense = HoeffdingTreeClassifier(task: stream.task, gracePeriod: 50)
        var sparse = HoeffdingTreeClassifier(task: stream.task, gracePeriod: 50)
        var a = [Double](), b = [Double]()
        for t in 0..<6_000 {
            let x = stream.features[t]
            let s = FeatureVector(indices: (0..<Int32(x.count)).map { $0 }, values: x.values)
            dense.predict(x, into: &a)
            sparse.predict(s, into: &b)
            #expect(a.map(\.bitPattern) == b.map(\.bitPattern))
            dense.learn(x, label: stream.labels[t])
            sparse.learn(s, label: stream.labels[t])
        }
        #expect(dense.leafCount > 2)
        #expect(dense.serialized() == sparse.serialized())
    }

    /// Entries of a sparse vector may come in any order: naive Bayes still adds the features'
    /// log-densities in the order the leaf first saw them, so the probabilities are unchanged.
    @Test func entryOrderDoesNotChangeNaiveBayesVotes() throws {
        let stream = try ReferenceStream("rbf", classes: 5)
        var tree = HoeffdingTreeClassifier(task: stream.task)
        _ = prequential(&tree, on: stream, range: 0..<500)
        let x = stream.features[500]
        let forward = FeatureVector(indices: (0..<Int32(x.count)).map { $0 }, values: x.values)
        let backward = FeatureVector(indices: forward.indices.reversed(), values: x.values.reversed())
        var a = [Double](), b = [Double](), c = [Double]()
        tree.predict(x, into: &a)
        tree.predict(forward, into: &b)
        tree.predict(backward, into: &c)
        #expect(a.map(\.bitPattern) == b.map(\.bitPattern))
        #expect(a.map(\.bitPattern) == c.map(\.bitPattern))
    }
}
