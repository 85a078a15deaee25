extension MetricSuite {
    /// The last `capacity` scored events, oldest first from `start`, in one ring shared by every
    /// metric of a rolling suite (River's `utils.Rolling` keeps one window per metric).
    struct EventWindow: Sendable {
        let capacity: Int
        /// True labels or values.
        private(set) var truths: [Double]
        /// Predicted class indices, or predicted values for regression.
        private(set) var predictions: [Double]
        /// P(class 1) for a binary task, else empty.
        private(set) var probabilities: [Double]
        /// Each event's log-loss for a binary task (derived, not serialized), so that reverting
        /// it costs no logarithm.
        private var losses: [Double]
        private(set) var start = 0
        private(set) var count = 0

        init(capacity: Int, keepsProbabilities: Bool) {
            self.capacity = capacity
            truths = [Double](repeating: 0, count: capacity)
            predictions = [Double](repeating: 0, count: capacity)
            probabilities = keepsProbabilities ? [Double](repeating: 0, count: capacity) : []
            losses = probabilities
        }

        /// Adds an event; when the window is full, returns the oldest one, which it replaces.
        @inline(__always)
        mutating func push(truth: Double, prediction: Double, probability: Double, loss: Double)
            -> (truth: Double, prediction: Double, loss: Double)? {
            let keepsProbabilities = !probabilities.isEmpty
            if count == capacity {
                let slot = start
                let old = (truths[slot], predictions[slot], keepsProbabilities ? losses[slot] : 0)
                store(truth, prediction, probability, loss, at: slot, keepsProbabilities)
                start = slot + 1 == capacity ? 0 : slot + 1
                return old
            }
            var slot = start + count
            if slot >= capacity { slot -= capacity }
            store(truth, prediction, probability, loss, at: slot, keepsProbabilities)
            count += 1
            return nil
        }

        @inline(__always)
        private mutating func store(_ truth: Double, _ prediction: Double, _ probability: Double, _ loss: Double,
                                    at slot: Int, _ keepsProbabilities: Bool) {
            truths[slot] = truth
            predictions[slot] = prediction
            if keepsProbabilities {
                probabilities[slot] = probability
                losses[slot] = loss
            }
        }

        /// Position `i` (0 = oldest) in the ring.
        func slot(_ i: Int) -> Int { (start + i) % capacity }

        /// The events, oldest first.
        var orderedTruths: [Double] { (0..<count).map { truths[slot($0)] } }
        var orderedPredictions: [Double] { (0..<count).map { predictions[slot($0)] } }
        var orderedProbabilities: [Double] { probabilities.isEmpty ? [] : (0..<count).map { probabilities[slot($0)] } }

        /// A window holding `truths`, `predictions` and `probabilities` (oldest first).
        init(capacity: Int, keepsProbabilities: Bool, truths t: [Double], predictions p: [Double], probabilities q: [Double]) {
            self.init(capacity: capacity, keepsProbabilities: keepsProbabilities)
            for i in t.indices {
                let loss = keepsProbabilities ? LogLoss.loss(truth: t[i], prediction: q[i]) : 0
                store(t[i], p[i], keepsProbabilities ? q[i] : 0, loss, at: i, keepsProbabilities)
            }
            count = t.count
        }
    }
}
