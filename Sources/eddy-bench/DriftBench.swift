// `eddy-bench drift FILE`: updates per second of ADWIN and KSWIN over the float64 values in
// FILE (little-endian, as numpy's tofile writes them). ops/benchmarks/drift runs River on the
// same file in the same run.
import EddyDrift
import Foundation

func driftBench(_ arguments: [String]) throws {
    guard let path = arguments.first, let data = FileManager.default.contents(atPath: path) else {
        throw BenchError.usage("eddy-bench drift FILE (float64 values)")
    }
    let values = data.withUnsafeBytes { Array($0.bindMemory(to: Double.self)) }
    // Best of three runs: the machine is shared, the best run is the least disturbed. A run
    // lasts at least half a second (ADWIN goes over the values many times, each pass on a fresh
    // detector), about as long as a run of River's, so that both sides' best runs are picked
    // from spells of the machine of the same length. ADWIN last, so that its runs come right
    // before River's (ops/benchmarks/drift runs River's ADWIN first).
    let kswinRate = try (0..<3).map { _ in try measure({ try KSWIN(seed: 42) }, values) }.max { $0.rate < $1.rate }!
    let adwinRate = try (0..<3).map { _ in try measure({ try ADWIN() }, values) }.max { $0.rate < $1.rate }!
    print(String(format: "eddy adwin: %.0f updates/s (%d drifts)", adwinRate.rate, adwinRate.drifts))
    print(String(format: "eddy kswin: %.0f updates/s (%d drifts)", kswinRate.rate, kswinRate.drifts))
    print("{\"values\":\(values.count),\"adwin\":\(adwinRate.rate),\"kswin\":\(kswinRate.rate)}")
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
