// `eddy-bench drift FILE [adwin|kswin]`: updates per second of ADWIN and KSWIN (or only the one
// named) over the float64 values in FILE (little-endian, as numpy's tofile writes them).
// ops/benchmarks/drift runs River on the same file in the same run, in turns with this.
import EddyDrift
import Foundation

func driftBench(_ arguments: [String]) throws {
    let usage = BenchError.usage("eddy-bench drift FILE [adwin|kswin] (FILE: float64 values)")
    guard let path = arguments.first, arguments.count <= 2, let data = FileManager.default.contents(atPath: path) else {
        throw usage
    }
    let detectors = arguments.count == 2 ? [arguments[1]] : ["adwin", "kswin"]
    guard detectors.allSatisfy({ $0 == "adwin" || $0 == "kswin" }) else { throw usage }
    let values = data.withUnsafeBytes { Array($0.bindMemory(to: Double.self)) }
    // Best of three runs: the machine is shared, the best run is the least disturbed. A run
    // lasts at least half a second (ADWIN goes over the values many times, each pass on a fresh
    // detector), about as long as a run of River's, so that both sides' best runs are picked
    // from spells of the machine of the same length.
    var fields = ["\"values\":\(values.count)"]
    for name in detectors {
        let best = try (0..<3).map { _ in
            name == "adwin" ? try measure({ try ADWIN() }, values) : try measure({ try KSWIN(seed: 42) }, values)
        }.max { $0.rate < $1.rate }!
        print(String(format: "eddy %@: %.0f updates/s (%d drifts)", name, best.rate, best.drifts))
        fields.append("\"\(name)\":\(best.rate)")
    }
    print("{\(fields.joined(separator: ","))}")
}

/// One run: passes over `values`, each on a fresh detector from `make`, until `seconds` of
/// updating have passed (one pass at least). Returns updates per second and the drifts of a pass.
private func measure<D: DriftDetector>(_ make: () throws -> D, _ values: [Double], seconds: Double = 0.5) rethrows
    -> (rate: Double, drifts: Int) {
    var drifts = 0, updates = 0, nanoseconds: UInt64 = 0
    repeat {
        var detector = try make()
        drifts = 0
        let start = DispatchTime.now().uptimeNanoseconds
        for v in values {
            detector.update(v)
            if detector.driftDetected { drifts += 1 }
        }
        nanoseconds += DispatchTime.now().uptimeNanoseconds - start
        updates += values.count
    } while Double(nanoseconds) / 1e9 < seconds
    return (Double(updates) / (Double(nanoseconds) / 1e9), drifts)
}

enum BenchError: Error, CustomStringConvertible {
    case usage(String)
    var description: String {
        switch self { case .usage(let text): "usage: \(text)" }
    }
}
