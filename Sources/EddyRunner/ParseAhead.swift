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
/// The two threads share the parsing: each claims the next message nobody has claimed, and
/// the learner, rather than wait for a message the parser has not reached, parses it itself.
/// Neither waits for the other while there is a message to parse, whichever side is faster.
///
/// Nothing is read past the batch given: nothing is taken from Kafka ahead of the learner, so
/// rebalances and checkpoints see what they would without it.
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
    /// The parser thread's copy of the pipeline's decoder (its scaler is never used).
    private var parserDecoder: EventDecoder
    /// The learner thread's copy, for the messages it claims.
    private var learnerDecoder: EventDecoder
    /// One parsed event per message of the batch, reused from batch to batch.
    private var events: UnsafeMutablePointer<DecodedEvent>
    /// Why message `i` cannot be learned from; nil when it parsed.
    private var errors: UnsafeMutablePointer<DecodeError?>
    /// Where message `i` is (`KafkaBatch.place(at:)`), read by whoever parses it, so that the
    /// learner finds it in a compact array.
    private var places: UnsafeMutablePointer<(topic: Int, partition: Int32, offset: Int64)>
    /// Per message: the number of the batch it was last parsed for, published when it is ready.
    private var parsedFor: UnsafeMutablePointer<Atomic<Int>>
    private var capacity = 0
    /// The batch being parsed (between `start` and `finish`), its number and size.
    private var batch: KafkaBatch?
    private var batchNumber = 0
    private var count = 0
    /// The first message of the batch nobody has claimed.
    private let unclaimed = Atomic<Int>(0)
    private let closing = Atomic<Bool>(false)
    private let batchReady = DispatchSemaphore(value: 0)
    private let batchParsed = DispatchSemaphore(value: 0)
    /// Whether the parser thread works on the current batch.
    private var running = false

    init(decoder: EventDecoder) {
        parserDecoder = decoder
        learnerDecoder = decoder
        events = .allocate(capacity: 0)
        errors = .allocate(capacity: 0)
        places = .allocate(capacity: 0)
        parsedFor = .allocate(capacity: 0)
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
        parsedFor.deinitialize(count: capacity)
        parsedFor.deallocate()
    }

    /// Batches smaller than this are parsed on the learner's thread alone: waking the parser
    /// would cost more than it saves (a poll that finds the queue empty returns one record).
    private static let smallestShared = 64

    /// Starts parsing the batch's messages. The batch must stay alive until `finish()`.
    func start(_ batch: KafkaBatch) {
        precondition(self.batch == nil, "ParseAhead.start before the previous batch finished")
        reserve(batch.count)
        self.batch = batch
        batchNumber += 1
        count = batch.count
        unclaimed.store(0, ordering: .relaxed)
        if count >= Self.smallestShared {
            running = true
            batchReady.signal()
        }
    }

    /// Where message `i` of the batch is (once it is parsed).
    @inline(__always)
    func place(_ i: Int) -> (topic: Int, partition: Int32, offset: Int64) {
        waitFor(i)
        return places[i]
    }

    /// Message `i` of the batch through the rest of the prequential step (once it is parsed),
    /// or why it cannot be learned from.
    @inline(__always)
    func process<L: PersistentLearner>(_ i: Int, with core: inout Prequential<L>) -> Prequential<L>.Outcome {
        waitFor(i)
        if let error = errors[i] { return .refused(error) }
        return .learned(core.process(parsed: &events[i]))
    }

    /// Waits until the parser is done with the batch; after this the batch may go.
    func finish() {
        if running {
            batchParsed.wait()
            running = false
        }
        batch = nil
    }

    /// Stops the parser thread (after the current batch, if any).
    func close() {
        finish()
        closing.store(true, ordering: .releasing)
        batchReady.signal()
    }

    /// Until message `i` is parsed, parses the next unclaimed message on this thread; spins
    /// (then yields) only while `i` is being parsed on the other.
    @inline(__always)
    private func waitFor(_ i: Int) {
        var spins = 0
        while parsedFor[i].load(ordering: .acquiring) != batchNumber {
            let j = unclaimed.wrappingAdd(1, ordering: .relaxed).oldValue
            if j < count {
                parse(j, in: batch.unsafelyUnwrapped, with: &learnerDecoder)
                continue
            }
            spins += 1
            if spins > 1000 { sched_yield() }
        }
    }

    /// Parses message `j` of the batch and publishes it.
    private func parse(_ j: Int, in batch: KafkaBatch, with decoder: inout EventDecoder) {
        places[j] = batch.place(at: j)
        do throws(DecodeError) {
            try decoder.parse(batch.value(at: j), into: &events[j])
            errors[j] = nil
        } catch {
            errors[j] = error
        }
        parsedFor[j].store(batchNumber, ordering: .releasing)
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
        parsedFor.deinitialize(count: capacity)
        parsedFor.deallocate()
        parsedFor = .allocate(capacity: grown)
        for k in 0..<grown { (parsedFor + k).initialize(to: Atomic(0)) }
        capacity = grown
    }

    /// The parser thread: claims messages of each batch until none is left.
    private func parseBatches() {
        while true {
            batchReady.wait()
            if closing.load(ordering: .acquiring) { return }
            guard let batch else { continue }
            while true {
                let j = unclaimed.wrappingAdd(1, ordering: .relaxed).oldValue
                if j >= count { break }
                parse(j, in: batch, with: &parserDecoder)
            }
            batchParsed.signal()
        }
    }
}
