extension Array where Element: AdditiveArithmetic {
    /// Appends `count` elements that `fill` writes in place, given them as a buffer: the array
    /// grows once, by a bulk fill of zeros, instead of element by element through the generic
    /// sequence copy that appending a lazy map goes through. The tape's sparse gradients are
    /// written so, several entries per event.
    ///
    /// ```swift
    /// var indices: [Int] = [4]
    /// indices.appendInPlace(count: 3) { for k in 0..<3 { $0[k] = 10 * k } }   // [4, 0, 10, 20]
    /// ```
    @inline(__always)
    mutating func appendInPlace(count: Int, _ fill: (UnsafeMutableBufferPointer<Element>) -> Void) {
        guard count > 0 else { return }
        let start = self.count
        append(contentsOf: repeatElement(.zero, count: count))
        withUnsafeMutableBufferPointer { fill(UnsafeMutableBufferPointer(rebasing: $0[start...])) }
    }
}
