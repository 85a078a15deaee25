import EddyDrift
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
    defer { try? FileManager.default.removeItem(at: csv) }
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
    defer { try? FileManager.default.removeItem(at: csv) }
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

/// A CSV file of River's SEA stream: variant 0, then variant 2 from `driftAt`, labels flipped in
/// `poison`; the caller deletes it.
private func seaCSV(events: Int, driftAt: Int, poison: Range<Int>) throws -> String {
    var before = try SEA(variant: 0, seed: 42)
    var after = try SEA(variant: 2, seed: 43)
    var text = "x0,x1,x2,y\n"
    for i in 0..<events {
        var (x, y) = i < driftAt ? before.next() : after.next()
        if poison.contains(i) { y = 1 - y }
        text += "\(x.values[0]),\(x.values[1]),\(x.values[2]),\(Int(y))\n"
    }
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("sea-\(UUID().uuidString).csv")
    try text.write(to: url, atomically: true, encoding: .utf8)
    return url.path
}

private func seaPipeline(_ adaptation: String, rollback: String = "", lr: Double = 0.05) throws -> PipelineSpec {
    try PipelineSpec.parse(yaml: """
        source: {brokers: none, topics: [none]}
        features: {numeric: [x0, x1, x2], scale: standard, label: y}
        task: binary
        learner: {kind: logistic_regression}
        optimizer: {kind: sgd, lr: \(lr)}
        metrics: {window: 1000}
        checkpoint: {every_events: 5000}
        adaptation: \(adaptation)
        \(rollback.isEmpty ? "" : "rollback: \(rollback)")
        """, environment: [:])
}

/// `eddy evaluate --pipeline` runs adaptation and the rollback guard as `eddy run` does: on
/// the same stream, a background learner is promoted when one runs, and a pipeline that does
/// not adapt rolls the poisoned burst back instead.
@Test func evaluationAdaptsAndRollsBackLikeARun() throws {
    let csv = try seaCSV(events: 60_000, driftAt: 40_000, poison: 15_000..<20_000)
    defer { try? FileManager.default.removeItem(atPath: csv) }
    let adapting = try CSVEvaluation.run(spec: try seaPipeline("{policy: boost_lr, background_on_warning: true}"), csvPath: csv)
    #expect(adapting.events == 60_000)
    #expect(adapting.promotions >= 1)
    #expect(adapting.timeline.contains { $0.contains("drift: promoted the background learner") })
    // The concept drift at 40,000: detected within 2,000 events, and adapted to.
    #expect(adapting.timeline.contains { line in
        (40_000...42_000).contains(eventIndex(line)) && (line.contains("drift: boost_lr") || line.contains("drift: promoted"))
    }, "\(adapting.timeline)")

    let guarded = try CSVEvaluation.run(spec: try seaPipeline("{policy: none, background_on_warning: false}",
                                                              rollback: "{margin: 0.2, windows: 2}", lr: 0.005), csvPath: csv)
    #expect(guarded.promotions == 0)
    #expect(guarded.rollbacks >= 1)
    let rollback = try #require(guarded.timeline.first { $0.contains("rollback to version") })
    // Versions every 5,000 events: the last good one before the burst is the third.
    #expect(rollback.contains("rollback to version 3:"), "\(rollback)")
    #expect((15_000..<20_000).contains(eventIndex(rollback)))
}

/// The event number a timeline line starts with ("event 1234: ...").
private func eventIndex(_ line: String) -> Int {
    Int(line.dropFirst("event ".count).prefix { $0.isNumber }) ?? -1
}
