@testable import EddyLearn
import Testing

@Suite struct GaussianEstimatorTests {
    /// Values printed by River 0.26.1's `proba.Gaussian` after updates 6, 7, 5.5, 9.25.
    @Test func matchesRiversGaussianBitForBit() {
        var g = GaussianEstimator(ddof: 1)
        for v in [6, 7, 5.5, 9.25] { g.update(v) }
        #expect(g.mean == 6.9375)
        #expect(g.variance == 2.765625)
        #expect(g.pdf(6.5) == 0.23173139051546668)
        #expect(g.logPdf(6.5) == -1.4621763775857626)
        #expect(g.cdf(6.5) == 0.3962459585859796)
        #expect(g.cdf(8.0) == 0.7385557209758791)
    }

    /// River: one value gives density 0, log-density -inf and (zero sigma) distribution 0.
    @Test func undefinedVarianceFallsBackAsRiver() {
        var g = GaussianEstimator(ddof: 1)
        g.update(3)
        #expect(g.pdf(3) == 0)
        #expect(g.logPdf(3) == -.infinity)
        #expect(g.cdf(3) == 0)
    }
}
