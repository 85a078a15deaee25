import EddyCodec

/// Kolmogorov-Smirnov Windowing (Raab et al., 2020), as River 0.26.1's `drift.KSWIN`: keeps the
/// last `windowSize` values and, once full, compares the newest `statSize` of them with
/// `statSize` values drawn at random from the older part by a two-sample KS test (exact
/// p-value, as SciPy's `ks_2samp`); a drift when p ≤ `alpha` and the statistic exceeds 0.1.
/// The draw uses `PythonRandom`, so a seeded KSWIN signals at River's indices exactly.
///
/// ```swift
/// var kswin = try KSWIN(alpha: 0.005, seed: 42)
/// for (i, x) in values.enumerated() {
///     kswin.update(x)
///     if kswin.driftDetected { print("drift \(i), p=\(kswin.pValue)") }
/// }
/// ```
public struct KSWIN: DriftDetector {
    public static let kind = "kswin"
    /// Significance level of the KS test.
    public let alpha: Double
    /// Length of the sliding window.
    public let windowSize: Int
    /// Length of the recent sample and of the random sample compared with it.
    public let statSize: Int
    /// Seed of the sampling generator; nil draws a fresh seed at every reset, as River's `seed=None`.
    public let seed: Int?

    public private(set) var driftDetected = false
    public var warningDetected: Bool { false }
    /// The p-value of the last test (0 before the window first fills).
    public private(set) var pValue = 0.0
    /// Values seen since the last reset.
    public private(set) var seen = 0

    private var rng: PythonRandom
    /// Ring buffer holding the window; `start` is the oldest value.
    private var window: [Double]
    private var start = 0
    private var filled = 0
    /// NaNs in the window: while there are any, a sample may hold one.
    private var nans = 0
    private var indices: [Int] = []
    private var pool: [Int] = []
    private var older: [Double] = []
    private var recent: [Double] = []

    /// `window` pre-fills the sliding window (its last `windowSize` values), as River's `window`.
    public init(alpha: Double = 0.005, windowSize: Int = 100, statSize: Int = 30, seed: Int? = nil,
                window: [Double] = []) throws(DriftConfigurationError) {
        try DriftConfigurationError.check((0...1).contains(alpha), Self.kind, "alpha", alpha, "0 <= alpha <= 1")
        try DriftConfigurationError.check(statSize >= 1, Self.kind, "stat_size", statSize, "stat_size >= 1")
        try DriftConfigurationError.check(windowSize >= 2 * statSize, Self.kind, "window_size", windowSize,
                                          "window_size >= 2 * stat_size (\(2 * statSize))")
        self.alpha = alpha
        self.windowSize = windowSize
        self.statSize = statSize
        self.seed = seed
        self.rng = seed.map { PythonRandom(seed: $0) } ?? PythonRandom()
        self.window = [Double](repeating: 0, count: windowSize)
        self.older = [Double](repeating: 0, count: statSize)
        self.recent = [Double](repeating: 0, count: statSize)
        for value in window.suffix(windowSize) { push(value) }
    }

    public mutating func reset() {
        driftDetected = false
        pValue = 0
        seen = 0
        start = 0
        filled = 0
        nans = 0
        rng = seed.map { PythonRandom(seed: $0) } ?? PythonRandom()
    }

    @inline(__always)
    private mutating func push(_ value: Double) {
        if value.isNaN { nans += 1 }
        if filled < windowSize {
            var slot = start + filled
            if slot >= windowSize { slot -= windowSize }
            window[slot] = value
            filled += 1
        } else {
            if window[start].isNaN { nans -= 1 }
            window[start] = value
            start += 1
            if start == windowSize { start = 0 }
        }
    }

    @inline(__always)
    private func at(_ i: Int) -> Double {
        var slot = start + i
        if slot >= windowSize { slot -= windowSize }
        return window[slot]
    }

    public mutating func update(_ value: Double) {
        if driftDetected { reset() }
        seen += 1
        push(value)
        guard filled >= windowSize else {
            driftDetected = false
            return
        }
        rng.sample(range: windowSize - statSize, count: statSize, into: &indices, pool: &pool)
        for i in 0..<statSize {
            older[i] = at(indices[i])
            recent[i] = at(windowSize - statSize + i)
        }
        // SciPy's ks_2samp propagates a NaN in either sample: statistic and p-value NaN, so River
        // signals no drift (its comparisons with NaN are false).
        if nans > 0 && (older.contains(where: \.isNaN) || recent.contains(where: \.isNaN)) {
            pValue = .nan
            driftDetected = false
            return
        }
        let (statistic, p) = Self.twoSampleKS(&older, &recent)
        pValue = p
        if p <= alpha && statistic > 0.1 {
            driftDetected = true
        } else {
            driftDetected = false
        }
    }

    /// The two-sided two-sample KS statistic of two equally long samples (sorted in place)
    /// and its exact p-value, as SciPy's `ks_2samp(method="auto")` computes them.
    static func twoSampleKS(_ a: inout [Double], _ b: inout [Double]) -> (statistic: Double, pValue: Double) {
        a.sort()
        b.sort()
        let n = a.count
        var i = 0, j = 0, h = 0
        while i < n && j < n {
            let v = min(a[i], b[j])
            while i < n && a[i] <= v { i += 1 }
            while j < n && b[j] <= v { j += 1 }
            h = max(h, abs(i - j))
        }
        guard h > 0 else { return (0, 1) }
        return (Double(h) / Double(n), min(max(probabilityOutsideSquare(n, h), 0), 1))
    }

    /// P(D_{n,n} ≥ h/n), the Hodges/Horner form SciPy uses for equal sample sizes.
    static func probabilityOutsideSquare(_ n: Int, _ h: Int) -> Double {
        var p = 0.0
        var k = n / h
        while k >= 0 {
            var p1 = 1.0
            for j in 0..<h {
                p1 = Double(n - k * h - j) * p1 / Double(n + k * h + j + 1)
            }
            p = p1 * (1 - p)
            k -= 1
        }
        return 2 * p
    }

    public func serialized() -> [UInt8] {
        var writer = StateWriter(kind: Self.kind, version: 1)
        writer.write(alpha)
        writer.write(windowSize)
        writer.write(statSize)
        writer.write(seed != nil)
        writer.write(seed ?? 0)
        writer.write(driftDetected)
        writer.write(pValue)
        writer.write(seen)
        writer.write((0..<filled).map { at($0) })
        rng.write(to: &writer)
        return writer.finish()
    }

    public init(state: [UInt8]) throws(StateError) {
        var reader = try StateReader(state, kind: Self.kind, supported: 1...1)
        let alpha = try reader.readDouble(), windowSize = try reader.readInt(), statSize = try reader.readInt()
        let seeded = try reader.readBool(), seedValue = try reader.readInt()
        self = try restoring { () throws(DriftConfigurationError) in
            try KSWIN(alpha: alpha, windowSize: windowSize, statSize: statSize, seed: seeded ? seedValue : nil)
        }
        driftDetected = try reader.readBool()
        pValue = try reader.readDouble()
        seen = try reader.readInt()
        let values = try reader.readDoubles()
        guard values.count <= windowSize else { throw .invalid("KSWIN window holds more than window_size values") }
        for v in values { push(v) }
        rng = try PythonRandom(from: &reader)
        try reader.finish()
    }
}
