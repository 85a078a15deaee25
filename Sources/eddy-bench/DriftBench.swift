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
    // Best of three runs, each on a fresh detector: the machine is shared, the best run is the least disturbed.
    let adwinRate = try (0..<3).map { _ in var d = try ADWIN(); return measure(&d, values) }.max { $0.rate < $1.rate }!
    let kswinRate = try (0..<3).map { _ in var d = try KSWIN(seed: 42); return measure(&d, values) }.max { $0.rate < $1.rate }!
    print(String(format: "eddy adwin: %.0f updates/s (%d drifts)", adwinRate.rate, adwinRate.drifts))
    print(String(format: "eddy kswin: %.0f updates/s (%d drifts)", kswinRate.rate, kswinRate.drifts))
    print("{\"values\":\(values.count),\"adwin\":\(adwinRate.rate),\"kswin\":\(kswinRate.rate)}")
}

private func measure<D: DriftDetector>(_ detector: inout D, _ values: [Double]) -> (rate: Double, drifts: Int) {
    var drifts = 0
    let start = DispatchTime.now().uptimeNanoseconds
    for v in values {
        detector.update(v)
        if detector.driftDetected { drifts += 1 }
    }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    return (Double(values.count) / seconds, drifts)
}

enum BenchError: Error, CustomStringConvertible {
    case usage(String)
    var description: String {
        switch self { case .usage(let text): "usage: \(text)" }
    }
}
