import EddyFeatures
import EddyLearn
import Foundation

/// A stream written by `ops/fixtures/incremental_reference.py`: features, labels and River's
/// prequential predictions (-1 where River predicted nothing).
struct ReferenceStream: Sendable {
    let name: String
    let classes: Int
    var features: [FeatureVector] = []
    var labels: [Double] = []
    var riverNB: [Int] = []
    var riverTreeInfoGain: [Int] = []
    var riverTreeGini: [Int] = []

    var task: LearningTask { classes == 2 ? .binary : .multiclass(classes: classes) }

    /// The two fixture streams, parsed once for all tests.
    static let agrawal = try! ReferenceStream(parsing: "agrawal", classes: 2)
    static let rbf = try! ReferenceStream(parsing: "rbf", classes: 5)

    /// A fixture stream by name (parsed once).
    init(_ name: String, classes: Int) throws {
        self = name == "agrawal" ? Self.agrawal : Self.rbf
        precondition(self.name == name && self.classes == classes, "unknown fixture stream \(name)")
    }

    private init(parsing name: String, classes: Int) throws {
        self.name = name
        self.classes = classes
        for line in try Self.lines(of: name).dropFirst() {
            let fields = line.split(separator: ",")
            let n = fields.count - 4
            features.append(FeatureVector(dense: fields[0..<n].map { Double($0)! }))
            labels.append(Double(fields[n])!)
            riverNB.append(Int(fields[n + 1])!)
            riverTreeInfoGain.append(Int(fields[n + 2])!)
            riverTreeGini.append(Int(fields[n + 3])!)
        }
    }

    static func lines(of name: String) throws -> [Substring] {
        let url = Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: "csv")!
        return try String(contentsOf: url, encoding: .utf8).split(separator: "\n")
    }
}

/// Prequential run: predict, record the predicted label and probabilities, then learn.
func prequential<L: Learner>(_ model: inout L, on stream: ReferenceStream,
                             range: Range<Int>? = nil) -> (labels: [Int], probabilities: [[Double]]) {
    var labels = [Int]()
    var probabilities = [[Double]]()
    var proba = [Double]()
    for t in range ?? 0..<stream.labels.count {
        model.predict(stream.features[t], into: &proba)
        var best = 0
        for k in 1..<proba.count where proba[k] > proba[best] { best = k }
        labels.append(proba.allSatisfy { $0 == 0 } ? -1 : best)
        probabilities.append(proba)
        model.learn(stream.features[t], label: stream.labels[t])
    }
    return (labels, probabilities)
}
