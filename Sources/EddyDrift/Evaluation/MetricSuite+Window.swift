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
        private(set) var start = 0
        private(set) var count = 0

        init(capacity: Int, keepsProbabilities: Bool) {
            self.capacity = capacity
            truths = [Double](repeating: 0, count: capacity)
            predictions = [Double](repeating: 0, count: capacity)
            probabilities = keepsProbabilities ? [Double](repeating: 0, count: capacity) : []
        }

        /// Adds an event; when the window is full, returns the oldest one, which it replaces.
        @inline(__always)
        mutating func push(truth: Double, prediction: Double, probability: Double) -> (truth: Double, prediction: Double, probability: Double)? {
            let keepsProbabilities = !probabilities.isEmpty
            if count == capacity {
                let slot = start
                let old = (truths[slot], predictions[slot], keepsProbabilities ? probabilities[slot] : 0)
                truths[slot] = truth
                predictions[slot] = prediction
                if keepsProbabilities { probabilities[slot] = probability }
                start = slot + 1 == capacity ? 0 : slot + 1
                return old
            }
            var slot = start + count
            if slot >= capacity { slot -= capacity }
            truths[slot] = truth
            predictions[slot] = prediction
            if keepsProbabilities { probabilities[slot] = probability }
            count += 1
            return nil
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
                truths[i] = t[i]
                predictions[i] = p[i]
                if keepsProbabilities { probabilities[i] = q[i] }
            }
            count = t.count
        }
    }
}
