import Dispatch
import EddyKafka
import EddyLearn
import EddyPipeline
import Foundation
import Synchronization

/// Parses a polled batch's messages on a second thread while the learner works through the
/// same batch in order, so that reading JSON and learning overlap on two cores. Parsing is
/// the stateless part of decoding (`EventDecoder.parse`); scaling, predicting and learning
/// stay on the caller's thread, in stream order, so the results are exactly those of
/// `Prequential.process(_:)` one message at a time.
///
/// The parser never reads past the batch it was given: nothing is taken from Kafka ahead of
/// the learner, so rebalances and checkpoints see what they would without it.
///
/// ```swift
/// let ahead = ParseAhead(decoder: spec.makeDecoder())
/// defer { ahead.close() }
/// let batch = try consumer.poll(maxRecords: 5_000, timeoutMs: 200)
/// ahead.start(batch)
/// for (i, record) in batch.enumerated() {
///     if case .refused(let error) = ahead.process(i, with: &core) { print(record.offset, error) }
/// }
/// ahead.finish()
/// ```
final class ParseAhead: @unchecked Sendable {
    /// The parser's own copy of the pipeline's decoder (its scaler is never used).
    private var decoder: EventDecoder
    /// One parsed event per message of the batch, reused from batch to batch.
    private var events: UnsafeMutablePointer<DecodedEvent>
    /// Why message `i` cannot be learned from; nil when it parsed.
    private var errors: UnsafeMutablePointer<DecodeError?>
    /// Where message `i` is (`KafkaBatch.place(at:)`), read by the parser so that this
    /// thread finds it in a compact array.
    private var places: UnsafeMutablePointer<(topic: Int, partition: Int32, offset: Int64)>
    private var capacity = 0
    /// The batch being parsed (between `start` and `finish`).
    private var batch: KafkaBatch?
    /// Messages of the current batch parsed so far (published by the parser after each one).
    private let parsed = Atomic<Int>(0)
    /// The last value of `parsed` this (the learner's) thread saw: messages below it are
    /// ready without touching the counter, which the parser keeps writing.
    private var known = 0
    private let closing = Atomic<Bool>(false)
    private let batchReady = DispatchSemaphore(value: 0)
    private let batchParsed = DispatchSemaphore(value: 0)
    private var running = false

    init(decoder: EventDecoder) {
        self.decoder = decoder
        events = .allocate(capacity: 0)
        errors = .allocate(capacity: 0)
        places = .allocate(capacity: 0)
        let thread = Thread { [self] in parseBatches() }
        thread.name = "eddy-parse"
        thread.start()
    }

    deinit {
        events.deinitialize(count: capacity)
        events.deallocate()
        errors.deinitialize(count: capacity)
        errors.deallocate()
        places.deallocate()
    }

    /// Starts parsing the batch's messages. The batch must stay alive until `finish()`.
    func start(_ batch: KafkaBatch) {
        precondition(!running, "ParseAhead.start before the previous batch finished")
        reserve(batch.count)
        self.batch = batch
        parsed.store(0, ordering: .relaxed)
        known = 0
        running = true
        batchReady.signal()
    }

    /// Where message `i` of the batch is (waiting for the parser to reach it).
    @inline(__always)
    func place(_ i: Int) -> (topic: Int, partition: Int32, offset: Int64) {
        waitFor(i)
        return places[i]
    }

    /// Message `i` of the batch through the rest of the prequential step (waiting for the
    /// parser to reach it), or why it cannot be learned from.
    @inline(__always)
    func process<L: PersistentLearner>(_ i: Int, with core: inout Prequential<L>) -> Prequential<L>.Outcome {
        waitFor(i)
        if let error = errors[i] { return .refused(error) }
        return .learned(core.process(parsed: &events[i]))
    }

    /// Waits until the parser is done with the batch; after this the batch may go.
    func finish() {
        guard running else { return }
        batchParsed.wait()
        batch = nil
        running = false
    }

    /// Stops the parser thread (after the current batch, if any).
    func close() {
        finish()
        closing.store(true, ordering: .releasing)
        batchReady.signal()
    }

    @inline(__always)
    private func waitFor(_ i: Int) {
        if i < known { return }
        var spins = 0
        while true {
            known = parsed.load(ordering: .acquiring)
            if i < known { return }
            spins += 1
            if spins > 100 { sched_yield() }
        }
    }

    private func reserve(_ count: Int) {
        guard count > capacity else { return }
        let grown = max(count, 2 * capacity)
        let newEvents = UnsafeMutablePointer<DecodedEvent>.allocate(capacity: grown)
        newEvents.moveInitialize(from: events, count: capacity)
        (newEvents + capacity).initialize(repeating: DecodedEvent(), count: grown - capacity)
        events.deallocate()
        events = newEvents
        let newErrors = UnsafeMutablePointer<DecodeError?>.allocate(capacity: grown)
        newErrors.moveInitialize(from: errors, count: capacity)
        (newErrors + capacity).initialize(repeating: nil, count: grown - capacity)
        errors.deallocate()
        errors = newErrors
        places.deallocate()
        places = .allocate(capacity: grown)
        capacity = grown
    }

    /// The parser thread: one batch at a time, publishing each message as it is parsed.
    private func parseBatches() {
        while true {
            batchReady.wait()
            if closing.load(ordering: .acquiring) { return }
            guard let batch else { continue }
            for i in batch.indices {
                places[i] = batch.place(at: i)
                do throws(DecodeError) {
                    try decoder.parse(batch.value(at: i), into: &events[i])
                    errors[i] = nil
                } catch {
                    errors[i] = error
                }
                parsed.store(i + 1, ordering: .releasing)
            }
            batchParsed.signal()
        }
    }
}
