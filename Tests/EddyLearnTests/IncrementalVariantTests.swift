import EddyFeatures
import EddyLearn
import Testing

/// River's predictions for other settings and for events with missing features
/// (`<stream>_variants.csv`, see `ops/fixtures/incremental_reference.py`).
@Suite struct IncrementalVariantTests {
    /// The fixture's rule: feature j of event t is missing when (31 t + 17 j) % 11 == 0.
    static func withMissingFeatures(_ x: FeatureVector, event t: Int) -> FeatureVector {
        var indices = [Int32](), values = [Double]()
        for j in 0..<x.count where (31 * t + 17 * j) % 11 != 0 {
            indices.append(Int32(j))
            values.append(x.values[j])
        }
        return FeatureVector(indices: indices, values: values)
    }

    static let streams = [("agrawal", 2), ("rbf", 5)]
    static let columns = ["missing_nb", "missing_ht_grace50", "missing_ht_gini_grace50",
                          "ht_depth3_mc", "ht_nb30", "ht_no_preprune_grace100"]

    static func model(for column: String, task: LearningTask) -> any Learner {
        switch column {
        case "missing_nb": GaussianNaiveBayes(task: task)
        case "missing_ht_grace50": HoeffdingTreeClassifier(task: task, gracePeriod: 50)
        case "missing_ht_gini_grace50": HoeffdingTreeClassifier(task: task, gracePeriod: 50, splitCriterion: .gini)
        case "ht_depth3_mc": HoeffdingTreeClassifier(task: task, maxDepth: 3, leafPrediction: .majorityClass)
        case "ht_nb30": HoeffdingTreeClassifier(task: task, leafPrediction: .naiveBayes, naiveBayesThreshold: 30)
        case "ht_no_preprune_grace100":
            HoeffdingTreeClassifier(task: task, gracePeriod: 100, tieThreshold: 0.1, meritPreprune: false)
        default: fatalError("unknown column \(column)")
        }
    }

    @Test(arguments: streams, columns)
    func agreesWithRiverOnEveryEvent(stream: (String, Int), column: String) throws {
        let (name, classes) = stream
        let data = try ReferenceStream(name, classes: classes)
        let lines = try ReferenceStream.lines(of: "\(name)_variants")
        let position = lines[0].split(separator: ",").firstIndex(of: Substring(column))!
        let river = lines.dropFirst().map { Int($0.split(separator: ",")[position])! }
        var model = Self.model(for: column, task: data.task)
        var proba = [Double]()
        var differ = 0
        for t in 0..<data.labels.count {
            let x = column.hasPrefix("missing") ? Self.withMissingFeatures(data.features[t], event: t) : data.features[t]
            model.predict(x, into: &proba)
            var best = 0
            for k in 1..<classes where proba[k] > proba[best] { best = k }
            if (proba.allSatisfy { $0 == 0 } ? -1 : best) != river[t] { differ += 1 }
            model.learn(x, label: data.labels[t])
        }
        #expect(differ == 0, "\(name) \(column): \(differ) of \(river.count) predictions differ from River's")
    }
}
