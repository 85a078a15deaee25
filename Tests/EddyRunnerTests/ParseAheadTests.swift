import EddyKafka
import EddyKafkaTesting
import EddyLearn
import EddyPipeline
@testable import EddyRunner
import EddyStore
import Foundation
import Logging
import Testing

/// `eddy run` parses each batch on two threads (`ParseAhead`); the model it saves must be, bit
/// for bit, the one a single thread gets by decoding and learning the same messages one at a
/// time, and the messages it sets aside the ones that thread refuses.
@Test(.timeLimit(.minutes(3)))
func parsingOnTwoThreadsLearnsWhatOneThreadLearns() throws {
    let fixture = try RunnerFixture(partitions: 1)
    defer { fixture.remove() }
    var rng: UInt64 = 77
    func uniform() -> Double {
        rng = rng &* 6364136223846793005 &+ 1442695040888963407
        return Double(rng >> 11) / Double(1 << 53) * 10
    }
    // Numbers of every length the parser reads (short decimals, 17 digits, exponents) and,
    // every ninth message, one it refuses.
    let broken = [#"{"x0":1.5,"x1":"#, #"{"x0":"high","x1":2,"x2":0.5,"y":1}"#, "not json", #"{"x0":1,"x1":2,"y":0}"#]
    let events: [String] = (0..<40_000).map { i in
        if i % 9 == 8 { return broken[(i / 9) % broken.count] }
        let (x0, x1, x2) = (uniform(), uniform(), uniform())
        let shown = [String(format: "%.3f", x0), "\(x1)", String(format: "%.4e", x2)]
        return #"{"x0":\#(shown[0]),"x1":\#(shown[1]),"x2":\#(shown[2]),"y":\#(x0 + x1 > 10 ? 1 : 0)}"#
    }
    try fixture.produce(events.count) { events[$0] }
    let spec = try fixture.spec(try fixture.pipeline("two-threads", everyEvents: 1_000_000))
    let summary = try PipelineRunner(spec: spec, logger: Logger(label: "test.two-threads"))
        .run(options: RunOptions(untilIdle: .seconds(3)), stop: StopSignal())

    let (state, refused) = try oneThread(try spec.makeLearner(), spec, events)
    #expect(summary.eventsLearned == events.count - refused)
    #expect(summary.deadLettered == refused)
    let saved = try #require(try CheckpointStore(path: fixture.database("two-threads"), readOnly: true)
        .latestVersion(pipeline: "two-threads"))
    #expect(saved.state == state, "the model learned with two parsing threads differs from one thread's")
}

/// `ParseAhead` itself, with two batches in hand, small batches between shared ones, and a
/// learner so impatient that it parses again what the parser has not yet published: each message
/// comes out, in order and in its place, as one decoder makes it.
@Test(.timeLimit(.minutes(2)))
func batchesInHandComeOutAsOneDecoderMakesThem() throws {
    let fixture = try RunnerFixture(partitions: 1)
    defer { fixture.remove() }
    try fixture.produce(12_000, malformedEvery: 7)
    let spec = try fixture.spec(try fixture.pipeline("in-hand"))
    var config = try TestBroker.configuration
    config["group.id"] = "\(fixture.topic)-in-hand"
    let consumer = try KafkaConsumer(configuration: config)
    defer { try? consumer.close() }

    for patience in [0, 2_000] {
        try consumer.assign([TopicPartition(topic: fixture.topic, partition: 0): 0])
        try learnInHand(try spec.makeLearner(), spec, from: consumer, count: 12_000, patience: patience)
    }
}

/// Polls `count` records from the start of `consumer`'s partition, two batches in hand, and
/// learns them through `ParseAhead` beside one core that decodes them itself.
private func learnInHand<L: PersistentLearner>(_ learner: L, _ spec: PipelineSpec, from consumer: KafkaConsumer,
                                               count: Int64, patience: Int) throws {
    let ahead = ParseAhead(decoder: spec.makeDecoder(), patience: patience)
    defer { ahead.close() }
    var twoThreads = Prequential(spec: spec, state: PipelineState(spec: spec, learner: learner))
    var oneThread = Prequential(spec: spec, state: PipelineState(spec: spec, learner: learner))
    // Batch sizes around the smallest shared one (64), one record, and whole fetches.
    let sizes = [5_000, 63, 64, 1, 700, 10, 3_000, 65]
    var polls = 0
    func poll() throws -> KafkaBatch {
        polls += 1
        return try consumer.poll(maxRecords: sizes[polls % sizes.count], timeoutMs: 2_000)
    }
    var seen: Int64 = 0
    var polledAhead: KafkaBatch?
    while seen < count {
        let batch: KafkaBatch
        if let next = polledAhead {
            batch = next
            polledAhead = nil
        } else {
            // Started just before it is learned: the learner races the parser's wake-up.
            batch = try poll()
            ahead.start(batch)
        }
        if polls % 3 != 0 {
            let next = try poll()
            ahead.start(next)
            polledAhead = next
        }
        for i in batch.indices {
            let record = batch[i]
            #expect(ahead.place(i).offset == record.offset)
            #expect(record.offset == seen)
            seen += 1
            switch (ahead.process(i, with: &twoThreads), oneThread.process(record.value)) {
            case (.learned, .learned), (.refused, .refused): break
            default: Issue.record("message \(record.offset): two threads and one disagree")
            }
        }
        ahead.finish()
    }
    #expect(seen == count)
    #expect(twoThreads.state.stateBlob() == oneThread.state.stateBlob(), "patience \(patience)")
}

/// The state one `Prequential` core reaches over `events`, in order, and how many it refused.
private func oneThread<L: PersistentLearner>(_ learner: L, _ spec: PipelineSpec, _ events: [String]) throws -> ([UInt8], Int) {
    var core = Prequential(spec: spec, state: PipelineState(spec: spec, learner: learner))
    var refused = 0
    for event in events {
        Array(event.utf8).withUnsafeBytes { bytes in
            if case .refused = core.process(bytes) { refused += 1 }
        }
    }
    return (core.state.stateBlob(), refused)
}
