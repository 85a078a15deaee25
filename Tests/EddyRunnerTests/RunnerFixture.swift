import EddyKafka
import EddyKafkaTesting
import EddyPipeline
import EddyRunner
import EddyStore
import Foundation

/// A pipeline over a fresh topic and a fresh database in a temporary directory, which the test
/// deletes with `remove()` when it is done (`defer { fixture.remove() }`): the databases and
/// pipeline files of a whole `ops/test` run come to some 50 MB.
struct RunnerFixture {
    let topic: String
    let directory: URL
    let partitions: Int

    init(partitions: Int) throws {
        self.partitions = partitions
        topic = TestBroker.uniqueName("runner")
        try KafkaAdmin(configuration: try TestBroker.configuration).createTopic(topic, partitions: partitions)
        directory = FileManager.default.temporaryDirectory.appendingPathComponent(TestBroker.uniqueName("eddy-runner"))
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    /// Writes `count` SEA-like events (label: x0 + x1 > 10), record i to partition i % partitions;
    /// with `malformedEvery`, every k-th message is a broken one instead (counted separately).
    func produce(_ count: Int, seed: UInt64 = 1, malformedEvery: Int = 0) throws {
        var config = try TestBroker.configuration.forProducer()
        config["linger.ms"] = "20"
        let producer = try KafkaProducer(configuration: config)
        var rng = seed
        func uniform() -> Double {
            rng = rng &* 6364136223846793005 &+ 1442695040888963407
            return Double(rng >> 11) / Double(1 << 53) * 10
        }
        let broken = [#"{"x0":1.5,"x1":"#, #"{"x0":1.5,"x1":2.0,"x2":0.5}"#, #"{"x0":"high","x1":2,"x2":0.5,"y":1}"#, "\u{1}\u{2}garbage"]
        for i in 0..<count {
            let value: String
            if malformedEvery > 0 && i % malformedEvery == malformedEvery - 1 {
                value = broken[(i / malformedEvery) % broken.count]
            } else {
                let (x0, x1, x2) = (uniform(), uniform(), uniform())
                value = #"{"x0":\#(x0),"x1":\#(x1),"x2":\#(x2),"y":\#(x0 + x1 > 10 ? 1 : 0)}"#
            }
            try producer.send(topic: topic, partition: Int32(i % partitions), value: Array(value.utf8))
        }
        try producer.flush()
    }

    /// A pipeline file for this topic; `name` also names its group and database.
    /// Writes `count` events whose JSON `event(i)` gives, in order, to partition 0.
    func produce(_ count: Int, event: (Int) -> String) throws {
        var config = try TestBroker.configuration.forProducer()
        config["linger.ms"] = "20"
        let producer = try KafkaProducer(configuration: config)
        for i in 0..<count { try producer.send(topic: topic, partition: 0, value: Array(event(i).utf8)) }
        try producer.flush()
    }

    /// A pipeline file for this topic; `name` also names its group and database; `extra` is
    /// appended (whole top-level sections).
    func pipeline(_ name: String, everyEvents: Int = 20_000, deadLetterTopic: String? = nil, window: Int = 500, lr: Double = 0.05, extra: String = "") throws -> URL {
        let yaml = """
            name: \(name)
            source:
              brokers: \(try TestBroker.brokers)
              topics: [\(topic)]
              group: \(topic)-\(name)
              properties:
                session.timeout.ms: 6000
            \(deadLetterTopic.map { "  dead_letter_topic: \($0)" } ?? "")
            features:
              numeric: [x0, x1, x2]
              scale: standard
              label: y
            task: binary
            learner:
              kind: logistic_regression
            optimizer:
              kind: sgd
              lr: \(lr)
            drift:
              detector: adwin
            metrics:
              window: \(window)
              snapshot_every: 5000
            checkpoint:
              every_events: \(everyEvents)
              on_shutdown: true
            database:
              path: \(name).db
            \(extra)
            """
        let url = directory.appendingPathComponent("\(name).yaml")
        try yaml.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    func spec(_ url: URL) throws -> PipelineSpec {
        try PipelineSpec.load(path: url.path, environment: [:])
    }

    func database(_ name: String) -> String { directory.appendingPathComponent("\(name).db").path }

    /// Deletes the directory with everything the test wrote there.
    func remove() { try? FileManager.default.removeItem(at: directory) }
}
