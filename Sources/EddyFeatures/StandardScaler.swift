import EddyCodec

/// A running standard scaler with River's `preprocessing.StandardScaler` semantics: per
/// feature position a count, a running mean and a running (population) variance updated
/// only when the feature is present; `transform` maps `x` to `(x - mean) / sqrt(var)`, and to
/// 0 when the variance is still 0. As in a River pipeline that is learning, call
/// `learnTransform` (update, then transform); `transform` alone leaves the statistics as
/// they are (as when predicting).
///
/// ```swift
/// var scaler = StandardScaler()
/// let scaled = scaler.learnTransform(FeatureVector(dense: [10, 3]))  // [0, 0] on the first event
/// ```
public struct StandardScaler: Sendable, Equatable {
    /// Whether to divide by the standard deviation (River's `with_std`).
    public let withStd: Bool
    public private(set) var counts: [Int] = []
    public private(set) var means: [Double] = []
    public private(set) var variances: [Double] = []

    public init(withStd: Bool = true) { self.withStd = withStd }

    /// Updates the statistics of the features present in `x`.
    public mutating func learn(_ x: FeatureVector) {
        var top = -1
        x.forEach { position, _ in top = max(top, position) }
        if top >= counts.count {
            let extra = top + 1 - counts.count
            counts += repeatElement(0, count: extra)
            means += repeatElement(0, count: extra)
            variances += repeatElement(0, count: extra)
        }
        x.forEach { i, xi in
            counts[i] += 1
            let n = Double(counts[i])
            let old = means[i]
            means[i] += (xi - old) / n
            if withStd { variances[i] += ((xi - old) * (xi - means[i]) - variances[i]) / n }
        }
    }

    /// Writes the scaled `x` into `output` (same positions), reusing its storage.
    public func transform(_ x: FeatureVector, into output: inout FeatureVector) {
        output.indices.removeAll(keepingCapacity: true)
        output.indices.append(contentsOf: x.indices)
        output.values.removeAll(keepingCapacity: true)
        x.forEach { i, xi in
            let mean = i < means.count ? means[i] : 0
            if !withStd {
                output.values.append(xi - mean)
                return
            }
            let v = i < variances.count ? variances[i] : 0
            output.values.append(v != 0 ? (xi - mean) / v.squareRoot() : 0)
        }
    }

    /// The scaled `x`.
    public func transform(_ x: FeatureVector) -> FeatureVector {
        var output = FeatureVector(indices: [], values: [])
        transform(x, into: &output)
        return output
    }

    /// Updates with `x`, then returns it scaled (River's learning order).
    public mutating func learnTransform(_ x: FeatureVector) -> FeatureVector {
        learn(x)
        return transform(x)
    }

    /// The scaler as a versioned, checksummed blob.
    public func stateBlob() -> [UInt8] {
        var writer = StateWriter(kind: "standard-scaler", version: 1)
        writer.write(withStd)
        writer.write(counts)
        writer.write(means)
        writer.write(variances)
        return writer.finish()
    }

    /// Restores a scaler from `stateBlob()`.
    public init(stateBlob blob: [UInt8]) throws(StateError) {
        var reader = try StateReader(blob, kind: "standard-scaler", supported: 1...1)
        withStd = try reader.readBool()
        counts = try reader.readInts()
        means = try reader.readDoubles()
        variances = try reader.readDoubles()
        try reader.finish()
        guard means.count == counts.count, variances.count == counts.count, counts.allSatisfy({ $0 >= 0 }) else {
            throw .invalid("scaler statistics differ in length")
        }
    }
}
