// `eddy-bench decode FILE [COMPACT]`: events per second of the pipeline's EventDecoder over FILE
// (one JSON event per line: x0..x19 as Python writes doubles, a label y, and merchant/country/
// device strings), once with the 20 numeric fields only and once adding the three hashed
// categoricals; and over COMPACT, when given (events as `ops/bench e2e` sends them: f0..f19
// rounded to six decimals and y, without spaces), with those 21 fields.
// ops/benchmarks/decode runs Python's json.loads on FILE in the same run.
import EddyPipeline
import Foundation

func decodeBench(_ arguments: [String]) throws {
    guard let path = arguments.first, let data = FileManager.default.contents(atPath: path) else {
        throw BenchError.usage("eddy-bench decode FILE [COMPACT] (one JSON event per line)")
    }
    let bytes = [UInt8](data)
    let lines = lineRanges(bytes)
    let numeric = (0..<20).map { "x\($0)" }.joined(separator: ", ")
    let dense = try PipelineSpec.parse(yaml: """
        source: {brokers: "b:1", topics: [t]}
        features: {numeric: [\(numeric)], label: y}
        learner: {kind: logistic_regression}
        """, environment: [:])
    let hashed = try PipelineSpec.parse(yaml: """
        source: {brokers: "b:1", topics: [t]}
        features: {numeric: [\(numeric)], categorical: [merchant, country, device], hash_bits: 20, label: y}
        learner: {kind: logistic_regression}
        """, environment: [:])
    var results: [(String, Double)] = []
    for (name, spec) in [("numeric", dense), ("hashed", hashed)] {
        results.append((name, decodeRate(spec, bytes, lines, name: name)))
    }
    if arguments.count > 1 {
        guard let data = FileManager.default.contents(atPath: arguments[1]) else {
            throw BenchError.usage("eddy-bench decode FILE [COMPACT] (one JSON event per line)")
        }
        let compactBytes = [UInt8](data)
        let features = (0..<20).map { "f\($0)" }.joined(separator: ", ")
        let compact = try PipelineSpec.parse(yaml: """
            source: {brokers: "b:1", topics: [t]}
            features: {numeric: [\(features)], label: y}
            learner: {kind: logistic_regression}
            """, environment: [:])
        results.append(("compact", decodeRate(compact, compactBytes, lineRanges(compactBytes), name: "compact")))
    }
    let rates = results.map { "\"\($0.0)_eps\":\($0.1)" }.joined(separator: ",")
    print("{\"events\":\(lines.count),\(rates)}")
}

/// The byte ranges of the non-empty lines of `bytes`.
private func lineRanges(_ bytes: [UInt8]) -> [Range<Int>] {
    var lines: [Range<Int>] = []
    var start = 0
    for (i, b) in bytes.enumerated() where b == 0x0A {
        if i > start { lines.append(start..<i) }
        start = i + 1
    }
    return lines
}

/// Events per second of `spec`'s decoder over `lines`, one reused event (as `eddy run` decodes):
/// the best of three passes, as the machine is shared and the best pass is the least disturbed.
private func decodeRate(_ spec: PipelineSpec, _ bytes: [UInt8], _ lines: [Range<Int>], name: String) -> Double {
    var best = 0.0
    for _ in 0..<3 {
        var decoder = spec.makeDecoder()
        var event = DecodedEvent()
        var failures = 0
        var checksum = 0.0
        let clock = DispatchTime.now().uptimeNanoseconds
        bytes.withUnsafeBytes { all in
            for line in lines {
                do {
                    try decoder.decode(UnsafeRawBufferPointer(rebasing: all[line]), into: &event)
                    checksum += event.features.values[0] + event.label
                } catch { failures += 1 }
            }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - clock) / 1e9
        precondition(failures == 0 && checksum.isFinite, "decode failures: \(failures)")
        best = max(best, Double(lines.count) / seconds)
    }
    print(String(format: "eddy decode (%@): %.0f events/s, %.1f MB/s", name, best, best * Double(bytes.count) / Double(lines.count) / 1e6))
    return best
}
