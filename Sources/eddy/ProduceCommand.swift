import ArgumentParser
import EddyDrift
import EddyFeatures
import EddyKafka
import Foundation
import Logging

/// `eddy produce`: writes a seeded synthetic labeled stream, with a concept drift, to a topic
/// as JSON objects `{"x0":..,"x1":..,...,"y":0|1}`: the demo's source and a test tool.
///
/// ```
/// $ eddy produce --brokers 127.0.0.1:19092 --topic demo --partitions 3 --events 200000 --drift-at 100000
/// produced 200000 events to demo (3 partitions) in 1.9 s
/// ```
struct ProduceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "produce",
        abstract: "Write a synthetic labeled stream with a concept drift to a Kafka topic (JSON events).",
        discussion: """
            Streams (River's generators, same seed → same stream):
              sea        3 features; concept SEA variant 0, then variant 2 after the drift
              agrawal    9 features; classification function 0, then function 2
              stagger    3 features; classification function 0, then function 1
              hyperplane 10 features; a rotating hyperplane (gradual drift throughout, mag_change 0.001)
            Event i goes to partition i mod N. --malformed-every K replaces every K-th event by a
            broken message (bad JSON, missing label, a non-number feature, NaN), for dead-letter tests.
            --poison-at I --poison-events N flips the labels of events I ..< I+N (a poisoned burst,
            for rollback tests).
            """
    )

    @Option(help: "Kafka bootstrap servers.")
    var brokers: String = "127.0.0.1:19092"

    @Option(help: "Topic to write to (created with --partitions if it does not exist).")
    var topic: String

    @Option(help: "Partitions of the topic when it is created.")
    var partitions: Int = 1

    @Option(help: "Generator: sea, agrawal, stagger, hyperplane.")
    var stream: String = "sea"

    @Option(help: "Number of events.")
    var events: Int = 100_000

    @Option(help: "Event index of the concept drift (default: the middle).")
    var driftAt: Int?

    @Option(help: "Width of the drift transition in events (1: abrupt).")
    var driftWidth: Int = 1

    @Option(help: "Seed of the generator.")
    var seed: Int = 42

    @Option(help: "Replace every K-th event by a malformed message (0: none).")
    var malformedEvery: Int = 0

    @Option(help: "Event index where a burst of flipped labels starts.")
    var poisonAt: Int?

    @Option(help: "Length of the flipped-label burst in events.")
    var poisonEvents: Int = 5_000

    @Option(name: .customLong("property"), help: ArgumentHelp("A librdkafka producer property (repeatable).", valueName: "k=v"))
    var properties: [String] = []

    func validate() throws {
        guard events > 0 else { throw ValidationError("--events must be positive") }
        guard partitions > 0 else { throw ValidationError("--partitions must be positive") }
        guard driftWidth > 0 else { throw ValidationError("--drift-width must be positive") }
        guard malformedEvery >= 0 else { throw ValidationError("--malformed-every must be 0 or positive") }
        if let poisonAt {
            guard poisonAt >= 0, poisonEvents > 0 else { throw ValidationError("--poison-at must be 0 or positive and --poison-events positive") }
        }
        guard ["sea", "agrawal", "stagger", "hyperplane"].contains(stream) else {
            throw ValidationError("--stream '\(stream)' is not one of sea, agrawal, stagger, hyperplane")
        }
    }

    func run() throws {
        var config = KafkaConfiguration(brokers: brokers)
        for item in properties {
            let (key, value) = try PropertyArgument.split(item, option: "--property")
            config[key] = value
        }
        let logger = Logger(label: "eddy.produce")
        try KafkaAdmin(configuration: config, logger: logger).createTopic(topic, partitions: partitions, ifMissing: true)
        let producer = try KafkaProducer(configuration: config, logger: logger)
        let clock = ContinuousClock()
        let start = clock.now
        var source = try makeStream()
        var line: [UInt8] = []
        line.reserveCapacity(512)
        for i in 0..<events {
            var (x, y) = source.next()
            if let poisonAt, (poisonAt..<poisonAt + poisonEvents).contains(i) { y = 1 - y }
            line.removeAll(keepingCapacity: true)
            if malformedEvery > 0 && (i + 1) % malformedEvery == 0 {
                line.append(contentsOf: Self.malformed((i + 1) / malformedEvery).utf8)
            } else {
                Self.appendJSON(x, y, to: &line)
            }
            try producer.send(topic: topic, partition: Int32(i % partitions), key: nil, value: line)
        }
        try producer.flush()
        let elapsed = (clock.now - start).components
        let seconds = Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
        print("produced \(events) events to \(topic) (\(partitions) partitions) in \(String(format: "%.1f", seconds)) s")
    }

    /// The stream before and after the drift, mixed at --drift-at over --drift-width events.
    private func makeStream() throws -> any SyntheticStream {
        let position = driftAt ?? events / 2
        switch stream {
        case "sea":
            return try ConceptDriftStream(stream: SEA(variant: 0, seed: seed), driftStream: SEA(variant: 2, seed: seed + 1),
                                          position: position, width: driftWidth, seed: seed)
        case "agrawal":
            return try ConceptDriftStream(stream: Agrawal(classificationFunction: 0, seed: seed),
                                          driftStream: Agrawal(classificationFunction: 2, seed: seed + 1),
                                          position: position, width: driftWidth, seed: seed)
        case "stagger":
            return try ConceptDriftStream(stream: STAGGER(classificationFunction: 0, seed: seed),
                                          driftStream: STAGGER(classificationFunction: 1, seed: seed + 1),
                                          position: position, width: driftWidth, seed: seed)
        default:
            return try Hyperplane(seed: seed, magChange: 0.001)
        }
    }

    /// `{"x0":v0,...,"y":label}` with each number in Swift's shortest round-trip form.
    static func appendJSON(_ x: FeatureVector, _ y: Double, to line: inout [UInt8]) {
        line.append(UInt8(ascii: "{"))
        x.forEach { position, value in
            line.append(contentsOf: "\"x\(position)\":\(value),".utf8)
        }
        line.append(contentsOf: "\"y\":\(Int(y))}".utf8)
    }

    /// A broken event of one of four kinds, in turn.
    static func malformed(_ n: Int) -> String {
        switch n % 4 {
        case 0: "{\"x0\":1.5,\"x1\":"                 // truncated JSON
        case 1: "{\"x0\":1.5,\"x1\":2.0,\"x2\":0.5}"   // no label
        case 2: "{\"x0\":\"high\",\"x1\":2.0,\"x2\":0.5,\"y\":1}"  // a feature that is not a number
        default: "{\"x0\":NaN,\"x1\":2.0,\"x2\":0.5,\"y\":0}"    // NaN is not JSON
        }
    }
}

/// Splits `k=v` command-line values.
enum PropertyArgument {
    static func split(_ item: String, option: String) throws -> (String, String) {
        guard let eq = item.firstIndex(of: "="), eq != item.startIndex else {
            throw ValidationError("\(option) '\(item)' is not of the form k=v")
        }
        return (String(item[..<eq]), String(item[item.index(after: eq)...]))
    }
}
