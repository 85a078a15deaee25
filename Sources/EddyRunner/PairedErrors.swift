import EddyCodec

/// The errors of two models on the same events, the newest `capacity` of them: how a
/// background learner is compared with the live model.
///
/// ```swift
/// var paired = PairedErrors(capacity: 1000)
/// paired.append(live: 1, candidate: 0)
/// paired.means() // (live: 1.0, candidate: 0.0)
/// ```
struct PairedErrors: Equatable {
    let capacity: Int
    private(set) var count = 0
    private var next = 0
    private var live: [Double] = []
    private var candidate: [Double] = []

    init(capacity: Int) {
        precondition(capacity > 0, "capacity must be positive")
        self.capacity = capacity
    }

    mutating func append(live l: Double, candidate c: Double) {
        if live.count < capacity {
            live.append(l)
            candidate.append(c)
        } else {
            live[next] = l
            candidate[next] = c
        }
        next = (next + 1) % capacity
        count = live.count
    }

    /// The mean errors over the events held.
    func means() -> (live: Double, candidate: Double) {
        guard count > 0 else { return (0, 0) }
        return (live.reduce(0, +) / Double(count), candidate.reduce(0, +) / Double(count))
    }

    mutating func removeAll() {
        live.removeAll(keepingCapacity: true)
        candidate.removeAll(keepingCapacity: true)
        count = 0
        next = 0
    }

    func write(to writer: inout StateWriter) {
        writer.write(next)
        writer.write(live)
        writer.write(candidate)
    }

    init(from reader: inout StateReader, capacity: Int) throws(StateError) {
        self.init(capacity: capacity)
        next = try reader.readInt()
        live = try reader.readDoubles()
        candidate = try reader.readDoubles()
        guard live.count == candidate.count, live.count <= capacity, next >= 0, next < capacity,
              live.count == capacity || next == live.count
        else { throw .invalid("paired errors of \(live.count)/\(candidate.count) values at \(next) for a window of \(capacity)") }
        count = live.count
    }
}
