import EddyCodec

/// Weights per class, remembering the order in which classes arrived, as River's leaf
/// statistics (a `dict`) do: sums, ties and splits all follow that order, so keeping it is
/// what makes the tree agree with River to the last bit.
struct ClassDistribution: Sendable, Equatable {
    /// Classes in arrival order.
    private(set) var order: [Int] = []
    /// Weight by class index; only classes in `order` are meaningful.
    private(set) var weights: [Double]

    init(classes: Int) { weights = [Double](repeating: 0, count: classes) }

    var isEmpty: Bool { order.isEmpty }

    func contains(_ c: Int) -> Bool { order.contains(c) }

    /// Adds `w` to class `c`, appending `c` if it is new.
    mutating func add(_ c: Int, _ w: Double) {
        if !contains(c) { order.append(c); weights[c] = w } else { weights[c] += w }
    }

    /// Sets class `c`, appending it if it is new (River's `dict[c] = w`).
    mutating func set(_ c: Int, _ w: Double) {
        if !contains(c) { order.append(c) }
        weights[c] = w
    }

    /// The sum of the weights, in arrival order (River's `sum(stats.values())`).
    var total: Double {
        var t = 0.0
        for c in order { t += weights[c] }
        return t
    }

    /// Fewer than two classes with non-zero weight.
    var isPure: Bool {
        var count = 0
        for c in order where weights[c] != 0 {
            count += 1
            if count == 2 { return false }
        }
        return true
    }

    /// The largest weight (River's `max(stats.values())`); 0 when empty.
    var largestWeight: Double {
        var best = -Double.infinity
        for c in order where weights[c] > best { best = weights[c] }
        return order.isEmpty ? 0 : best
    }

    /// The weights scaled to sum to one, as River's `normalize_values_in_dict` computes them
    /// (`w * (1 / total)`, left as they are when the total is 0).
    func normalizedWeight(_ c: Int, total: Double) -> Double {
        total == 0 || total.isNaN ? weights[c] : weights[c] * (1 / total)
    }

    /// The first class, in arrival order, with the largest normalized weight.
    var majorityClass: Int {
        let total = self.total
        var best = order[0]
        var bestValue = normalizedWeight(best, total: total)
        for c in order.dropFirst() {
            let v = normalizedWeight(c, total: total)
            if v > bestValue { best = c; bestValue = v }
        }
        return best
    }

    func write(to writer: inout StateWriter) {
        writer.write(order)
        for c in order { writer.write(weights[c]) }
    }

    static func read(from reader: inout StateReader, classes: Int) throws(StateError) -> ClassDistribution {
        var d = ClassDistribution(classes: classes)
        d.order = try IncrementalState.readClassOrder(from: &reader, classes: classes)
        for c in d.order { d.weights[c] = try reader.readDouble() }
        return d
    }
}
