import Dispatch
import EddyKafka
import EddyLearn
import EddyPipeline
import Foundation
import Synchronization

/// Parses polled batches' messages on a second thread while the learner works through them
/// in order, so that reading JSON and learning overlap on two cores. Parsing is the stateless
/// part of decoding (`EventDecoder.parse`); scaling, predicting and learning stay on the
/// caller's thread, in stream order, so the results are exactly those of
/// `Prequential.process(_:)` one message at a time.
///
/// Two batches may be in hand at once: the one being learned and the next, which the parser
/// works on as soon as it is started, so that it need not wait for the learner to finish a
/// batch and poll again. The two threads share the parsing of the batch being learned: each
/// claims the next message nobody has claimed, and the learner, rather than wait for a message
/// the parser has not reached, parses it itself. A message the parser claimed but has not
/// finished for a while (its thread was descheduled) the learner parses again on its own:
/// parsing is deterministic, so either copy is the same event.
///
/// ```swift
/// let ahead = ParseAhead(decoder: spec.makeDecoder())
/// defer { ahead.close() }
/// var batch = try consumer.poll(maxRecords: 5_000, timeoutMs: 200)
/// ahead.start(batch)
/// while !batch.isEmpty {
///     let next = try consumer.poll(maxRecords: 5_000, timeoutMs: 0)
///     ahead.start(next)  // parsed while `batch` is learned
///     for (i, record) in batch.enumerated() {
///         if case .refused(let error) = ahead.process(i, with: &core) { print(record.offset, error) }
///     }
///     ahead.finish()  // done with `batch`; `next` is now the one `process` reads
///     batch = next
/// }
/// ahead.finish()
/// ```
final class ParseAhead: @unchecked Sendable {
    /// A message once parsed: its event, or why it cannot be learned from, and where it is
    /// (`KafkaBatch.place(at:)`).
    struct Parsed {
        var event = DecodedEvent()
        var error: DecodeError?
        var place: (topic: Int, partition: Int32, offset: Int64) = (0, 0, 0)
    }

    /// One batch in hand and its parsed messages, reused from batch to batch. Its fields are
    /// read for every message, by both threads, in turns the atomics and semaphores order:
    /// `@exclusivity(unchecked)` spares each read the runtime's access check (a thread-local
    /// record that could not see the other thread anyway), some 2% of `eddy run`'s CPU in all.
    private final class Lane: @unchecked Sendable {
        @exclusivity(unchecked) var parsed: UnsafeMutablePointer<Parsed> = .allocate(capacity: 0)
        /// Per message: the number of the batch it was last parsed for, published when it is ready.
        @exclusivity(unchecked) var parsedFor: UnsafeMutablePointer<Atomic<Int>> = .allocate(capacity: 0)
        var capacity = 0
        @exclusivity(unchecked) var batch: KafkaBatch?
        /// The batch this lane held last, released (its messages handed back to librdkafka)
        /// by whichever thread takes the lane next: the parser's, for a shared batch.
        var retired: KafkaBatch?
        @exclusivity(unchecked) var number = 0
        @exclusivity(unchecked) var count = 0
        /// Whether the parser thread works on this batch (small ones the learner parses alone).
        var shared = false
        /// The first message of the batch nobody has claimed.
        let unclaimed = Atomic<Int>(0)
        /// Signalled by the parser thread when it has claimed and parsed its share of the batch.
        let done = DispatchSemaphore(value: 0)

        func reserve(_ count: Int) {
            guard count > capacity else { return }
            let grown = max(count, 2 * capacity)
            let newParsed = UnsafeMutablePointer<Parsed>.allocate(capacity: grown)
            newParsed.moveInitialize(from: parsed, count: capacity)
            (newParsed + capacity).initialize(repeating: Parsed(), count: grown - capacity)
            parsed.deallocate()
            parsed = newParsed
            parsedFor.deinitialize(count: capacity)
            parsedFor.deallocate()
            parsedFor = .allocate(capacity: grown)
            for k in 0..<grown { (parsedFor + k).initialize(to: Atomic(0)) }
            capacity = grown
        }

        deinit {
            parsed.deinitialize(count: capacity)
            parsed.deallocate()
            parsedFor.deinitialize(count: capacity)
            parsedFor.deallocate()
        }
    }

    /// The parser thread's copy of the pipeline's decoder (its scaler is never used).
    @exclusivity(unchecked) private var parserDecoder: EventDecoder
    /// The learner thread's copy, for the messages it parses.
    @exclusivity(unchecked) private var learnerDecoder: EventDecoder
    private let lanes = [Lane(), Lane()]
    /// Batches started and finished so far: batch `k` uses lane `k % 2`.
    private var started = 0
    private var finished = 0
    /// The lane of the batch being learned, as pointers (the hot path touches no reference count).
    @exclusivity(unchecked) private var current = (parsed: UnsafeMutablePointer<Parsed>?.none, parsedFor: UnsafeMutablePointer<Atomic<Int>>?.none, number: 0)
    /// The lanes of the shared batches, in the order they were started, for the parser thread:
    /// entry `k % 2` is the `k`th shared batch's (at most two are in hand).
    private let sharedLanes = UnsafeMutablePointer<Int>.allocate(capacity: 2)
    private var sharedStarted = 0
    /// The learner's own copy of a message the parser was slow to finish, and which one.
    @exclusivity(unchecked) private var spare = UnsafeMutablePointer<Parsed>.allocate(capacity: 1)
    @exclusivity(unchecked) private var spareFor = (batch: 0, message: -1)
    private let closing = Atomic<Bool>(false)
    /// One signal per shared batch started, for the parser thread.
    private let batchReady = DispatchSemaphore(value: 0)

    /// `patience`: how many times the learner looks for a message the parser claimed before it
    /// parses the message itself; by default a few microseconds, more than a message takes.
    /// With 0 the learner parses every message it finds unpublished itself.
    init(decoder: EventDecoder, patience: Int = 2_000) {
        self.patience = patience
        parserDecoder = decoder
        learnerDecoder = decoder
        spare.initialize(to: Parsed())
        let thread = Thread { [self] in parseBatches() }
        thread.name = "eddy-parse"
        thread.start()
    }

    deinit {
        spare.deinitialize(count: 1)
        spare.deallocate()
        sharedLanes.deallocate()
    }

    /// Batches smaller than this are parsed on the learner's thread alone: waking the parser
    /// would cost more than it saves (a poll that finds the queue empty returns one record).
    private static let smallestShared = 64
    /// How many times the learner looks for a message the parser claimed before it parses the
    /// message itself.
    private let patience: Int

    /// Starts parsing the batch's messages; `process` reads them once the batches started
    /// before it are finished. At most two batches are in hand; each must stay alive until
    /// its `finish()`.
    func start(_ batch: KafkaBatch) {
        precondition(started - finished < 2, "ParseAhead.start with two batches in hand")
        started += 1
        let lane = lanes[started & 1]
        lane.reserve(batch.count)
        lane.batch = batch
        lane.number = started
        lane.count = batch.count
        lane.unclaimed.store(0, ordering: .relaxed)
        lane.shared = batch.count >= Self.smallestShared
        if !lane.shared { lane.retired = nil }
        if started == finished + 1 { learn(from: lane) }
        if lane.shared {
            sharedLanes[sharedStarted & 1] = started & 1
            sharedStarted += 1
            batchReady.signal()
        }
    }

    private func learn(from lane: Lane) {
        current = (lane.parsed, lane.parsedFor, lane.number)
    }

    /// Where message `i` of the batch being learned is.
    @inline(__always)
    func place(_ i: Int) -> (topic: Int, partition: Int32, offset: Int64) {
        ready(i).pointee.place
    }

    /// Message `i` of the batch being learned through the rest of the prequential step, or why
    /// it cannot be learned from.
    @inline(__always)
    func process<L: PersistentLearner>(_ i: Int, with core: inout Prequential<L>) -> Prequential<L>.Outcome {
        let message = ready(i)
        if let error = message.pointee.error { return .refused(error) }
        return .learned(core.process(parsed: &message.pointee.event))
    }

    /// Done with the batch being learned (waiting for the parser to be done with it too); the
    /// next batch started, if any, is the one `place` and `process` read now.
    func finish() {
        guard finished < started else { return }
        finished += 1
        let lane = lanes[finished & 1]
        if lane.shared {
            lane.done.wait()
            lane.shared = false
        }
        lane.retired = lane.batch
        lane.batch = nil
        if finished < started { learn(from: lanes[(finished + 1) & 1]) }
    }

    /// Finishes every batch in hand, learned or not, and releases them: the consumer they
    /// came from may be closed after this.
    func finishAll() {
        while finished < started { finish() }
        // The parser thread is done with every lane: each shared batch's `done` was waited for.
        for lane in lanes { lane.retired = nil }
    }

    /// Finishes the batches in hand and stops the parser thread.
    func close() {
        finishAll()
        closing.store(true, ordering: .releasing)
        batchReady.signal()
    }

    /// Message `i` of the batch being learned, parsed: until it is, the learner parses the next
    /// unclaimed message itself, and waits only while the parser works on `i`.
    @inline(__always)
    private func ready(_ i: Int) -> UnsafeMutablePointer<Parsed> {
        if current.parsedFor.unsafelyUnwrapped[i].load(ordering: .acquiring) == current.number {
            return current.parsed.unsafelyUnwrapped + i
        }
        return wait(for: i, in: lanes[(finished + 1) & 1])
    }

    private func wait(for i: Int, in lane: Lane) -> UnsafeMutablePointer<Parsed> {
        if spareFor == (lane.number, i) { return spare }
        var looks = 0
        while lane.parsedFor[i].load(ordering: .acquiring) != lane.number {
            if !lane.shared {
                parse(i, of: lane, into: lane.parsed + i, with: &learnerDecoder)
                break
            }
            if looks >= patience {
                parse(i, of: lane, into: spare, with: &learnerDecoder)
                spareFor = (lane.number, i)
                return spare
            }
            if lane.unclaimed.load(ordering: .relaxed) < lane.count {
                let j = lane.unclaimed.wrappingAdd(1, ordering: .relaxed).oldValue
                if j < lane.count {
                    parse(j, of: lane, into: lane.parsed + j, with: &learnerDecoder)
                    continue
                }
            }
            looks += 1
        }
        return lane.parsed + i
    }

    /// Parses message `j` of the lane's batch into `slot`; publishes it when `slot` is the lane's own.
    private func parse(_ j: Int, of lane: Lane, into slot: UnsafeMutablePointer<Parsed>, with decoder: inout EventDecoder) {
        let batch = lane.batch.unsafelyUnwrapped
        slot.pointee.place = batch.place(at: j)
        do throws(DecodeError) {
            try decoder.parse(batch.value(at: j), into: &slot.pointee.event)
            slot.pointee.error = nil
        } catch {
            slot.pointee.error = error
        }
        if slot == lane.parsed + j { lane.parsedFor[j].store(lane.number, ordering: .releasing) }
    }

    /// The parser thread: claims the messages of each shared batch, in the order they were
    /// started, until none is left.
    private func parseBatches() {
        var taken = 0
        while true {
            batchReady.wait()
            if closing.load(ordering: .acquiring) { return }
            // The semaphore orders this after `start` wrote the lane, which the learner does not
            // touch again before the lane's `done` (nor the entry, before the next shared batch's).
            let lane = lanes[sharedLanes[taken & 1]]
            taken += 1
            lane.retired = nil
            while true {
                let j = lane.unclaimed.wrappingAdd(1, ordering: .relaxed).oldValue
                if j >= lane.count { break }
                parse(j, of: lane, into: lane.parsed + j, with: &parserDecoder)
            }
            lane.done.signal()
        }
    }
}
