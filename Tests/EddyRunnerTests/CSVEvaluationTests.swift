import EddyPipeline
import EddyRunner
import Foundation
import Testing

/// River's Hoeffding tree and Gaussian NB predictions on the Agrawal stream, stored by the
/// learners' own fixture script: `eddy evaluate`'s path must score exactly as River did
/// (River makes no prediction for the very first event; Eddy predicts class 0 for it).
@Test(arguments: [("hoeffding_tree", "ht_info_gain"), ("gaussian_nb", "nb")])
func evaluationScoresLikeRiver(learner: String, riverColumn: String) throws {
    let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../EddyLearnTests/Fixtures/agrawal.csv").standardized
    let rows = try String(contentsOf: fixture, encoding: .utf8).split(whereSeparator: \.isNewline).map { $0.split(separator: ",") }
    let header = rows[0].map(String.init)
    let (y, river) = (header.firstIndex(of: "y")!, header.firstIndex(of: riverColumn)!)
    let riverCorrect = rows.dropFirst().filter { $0[y] == $0[river] }.count
    let firstIsZero = rows[1][y] == "0"

    let csv = FileManager.default.temporaryDirectory.appendingPathComponent("agrawal-\(UUID().uuidString).csv")
    try rows.map { $0[0...y].joined(separator: ",") }.joined(separator: "\n").write(to: csv, atomically: true, encoding: .utf8)
    let spec = try PipelineSpec.parse(yaml: """
        source: {brokers: none, topics: [none]}
        features:
          numeric: [\(header[0..<y].joined(separator: ", "))]
          label: y
        task: binary
        learner:
          kind: \(learner)
        adaptation: {policy: none, background_on_warning: false}
        rollback: {enabled: false}
        """, environment: [:])
    let report = try CSVEvaluation.run(spec: spec, csvPath: csv.path)
    #expect(report.events == 20_000)
    #expect(report.refused == 0)
    let accuracy = try #require(report.metrics.first { $0.name == "accuracy" }).value
    #expect(accuracy == Double(riverCorrect + (firstIsZero ? 1 : 0)) / 20_000)
}

@Test func badLinesAreRefusedWithTheirLineNumbers() throws {
    let csv = FileManager.default.temporaryDirectory.appendingPathComponent("bad-\(UUID().uuidString).csv")
    try "a,b,y\n1,2,0\n3,oops,1\n5,6\n7,8,1\n".write(to: csv, atomically: true, encoding: .utf8)
    let spec = try PipelineSpec.parse(yaml: """
        source: {brokers: none, topics: [none]}
        features: {numeric: [a, b], label: y}
        task: binary
        learner: {kind: gaussian_nb}
        """, environment: [:])
    let report = try CSVEvaluation.run(spec: spec, csvPath: csv.path)
    #expect(report.events == 2)
    #expect(report.refused == 2)
    #expect(report.refusals.map { $0.prefix(7) } == ["line 3:", "line 4:"])
}
