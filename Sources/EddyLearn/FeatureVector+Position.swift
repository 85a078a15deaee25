import EddyFeatures

extension FeatureVector {
    /// The value at feature `position`, nil when the vector does not hold it (a dense vector
    /// shorter than `position + 1`, or a sparse vector without that index; sparse vectors
    /// are searched linearly).
    func value(at position: Int) -> Double? {
        if indices.isEmpty { return position < values.count ? values[position] : nil }
        let target = Int32(truncatingIfNeeded: position)
        for i in 0..<indices.count where indices[i] == target { return values[i] }
        return nil
    }
}
