#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import EddyCodec

/// A running normal distribution: Welford's mean and variance (River's `proba.Gaussian` over
/// `stats.Var`), with River's density, log-density and distribution function, operation for
/// operation, so that results agree with River bit for bit.
///
/// ```swift
/// var g = GaussianEstimator(ddof: 1)
/// g.update(6); g.update(7)
/// g.pdf(6.5) // 0.5641895835477563
/// ```
public struct GaussianEstimator: Sendable, Equatable {
    /// The total weight seen.
    public private(set) var count: Double = 0
    /// The running mean.
    public private(set) var mean: Double = 0
    /// The running sum of squared deviations (Welford's S).
    public private(set) var sumOfSquares: Double = 0
    /// Delta degrees of freedom: the variance divides by `count - ddof`.
    public let ddof: Double
    /// `-2 variance` and `log(variance) / 2`, kept from the last update so that the hot
    /// log-density needs no logarithm of its own (same operations, same bits as River).
    private var logDensityScale = 0.0
    private var halfLogVariance = 0.0

    public init(ddof: Int = 1) { self.ddof = Double(ddof) }

    /// Adds `x` with weight `w`.
    public mutating func update(_ x: Double, weight w: Double = 1) {
        let oldMean = mean
        count += w
        mean += (w / count) * (x - mean)
        sumOfSquares += w * (x - oldMean) * (x - mean)
        refreshLogDensityTerms()
    }

    private mutating func refreshLogDensityTerms() {
        guard count > ddof else { return }
        let variance = sumOfSquares / (count - ddof)
        guard variance > 0 else { return }
        logDensityScale = -2.0 * variance
        halfLogVariance = 0.5 * log(variance)
    }

    /// The variance, 0 until more than `ddof` weight has been seen.
    public var variance: Double { count > ddof ? sumOfSquares / (count - ddof) : 0 }

    /// The density at `x`; 0 while the variance is undefined or zero (as River).
    public func pdf(_ x: Double) -> Double {
        guard count > ddof else { return 0 }
        let variance = sumOfSquares / (count - ddof)
        guard variance > 0 else { return 0 }
        let sigma = variance.squareRoot()
        let z = (x - mean) / sigma
        return exp(-0.5 * z * z) / (2.0 * Double.pi).squareRoot() / sigma
    }

    /// The log-density at `x`; -infinity while the variance is undefined or zero (as River).
    public func logPdf(_ x: Double) -> Double {
        guard count > ddof, sumOfSquares / (count - ddof) > 0 else { return -.infinity }
        // River squares with `**`, i.e. C `pow`, which is not always `d * d` to the last bit.
        return pow(x - mean, 2) / logDensityScale - Self.halfLogTau - halfLogVariance
    }

    /// The distribution function at `x`; 0 when the standard deviation is 0 (River's
    /// `ZeroDivisionError` fallback).
    public func cdf(_ x: Double) -> Double {
        let sigma = pow(variance, 0.5)
        guard sigma != 0 else { return 0 }
        return 0.5 * (1.0 + erf((x - mean) / sigma / 2.0.squareRoot()))
    }

    static let halfLogTau = 0.5 * log(2.0 * Double.pi)

    func write(to writer: inout StateWriter) {
        writer.write(count)
        writer.write(mean)
        writer.write(sumOfSquares)
    }

    static func read(from reader: inout StateReader, ddof: Int) throws(StateError) -> GaussianEstimator {
        var g = GaussianEstimator(ddof: ddof)
        g.count = try reader.readDouble()
        g.mean = try reader.readDouble()
        g.sumOfSquares = try reader.readDouble()
        g.refreshLogDensityTerms()
        return g
    }
}
