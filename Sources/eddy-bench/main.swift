// The Swift side of `ops/bench`: each benchmark is a function that takes the remaining
// arguments and prints its figures. Run through `ops/bench NAME`, which builds in release
// mode and runs the peers in the same run.
import Foundation

let benchmarks: [String: ([String]) throws -> Void] = [
    "drift": driftBench,
    "kafka": runKafkaBench,
    "learn": runLearnBench,
    "decode": decodeBench,
]

let arguments = CommandLine.arguments.dropFirst()
guard let name = arguments.first, let run = benchmarks[name] else {
    let names = benchmarks.keys.sorted().joined(separator: ", ")
    FileHandle.standardError.write(Data("usage: eddy-bench NAME [ARGS...], NAME one of: \(names)\n".utf8))
    exit(2)
}
do {
    try run(Array(arguments.dropFirst()))
} catch {
    FileHandle.standardError.write(Data("eddy-bench \(name): \(error)\n".utf8))
    exit(1)
}
