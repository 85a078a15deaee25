@testable import EddyLearn
import Foundation
import Testing

func oneStep(_ optimizer: inout some Optimizer, weights: [Double], gradient: [Double], policy: GradientPolicy = GradientPolicy()) -> [Double] {
    var w = Tensor(weights)
    let g = VariableGradient(shape: .vector(weights.count), isSparse: false, dense: gradient, indices: [], values: [])
    optimizer.apply(to: &w, slot: 0, gradient: g, policy: policy, scale: 1)
    optimizer.endStep()
    return w.scalars
}

@Test func learningRateSchedules() {
    #expect(LearningRate.constant(0.3).at(1_000) == 0.3)
    #expect(LearningRate.inverseScaling(0.1, power: 0.5).at(3) == 0.1 / 2)
    #expect(LearningRate.step(0.1, factor: 0.5, every: 1000).at(999) == 0.1)
    #expect(LearningRate.step(0.1, factor: 0.5, every: 1000).at(2500) == 0.025)
}

@Test func ftrlProximalFirstStepMatchesTheClosedForm() {
    // From z = n = w = 0: sigma = |g| / alpha, z = g, n = g^2,
    // w = -(z - sign(z) * l1) / ((beta + sqrt(n)) / alpha + l2) when |z| > l1, else 0.
    let (alpha, beta, l1, l2) = (0.1, 1.0, 0.5, 2.0)
    var ftrl = FTRLProximal(alpha: alpha, beta: beta, l1: l1, l2: l2)
    let w = oneStep(&ftrl, weights: [0, 0, 0], gradient: [2, -0.3, -4])
    #expect(w[0] == -(2 - l1) / ((beta + 2) / alpha + l2))
    #expect(w[1] == 0)
    #expect(w[2] == -(-4 + l1) / ((beta + 4) / alpha + l2))
}

@Test func adamWDecaysWeightsApartFromTheGradient() {
    var adamw = Adam.adamW(learningRate: .constant(0.1), weightDecay: 0.5)
    // A zero gradient leaves Adam's step at 0, so only the decoupled decay moves the weight.
    let decayed: [Double] = [2 - 0.1 * 0.5 * 2, -1 + 0.1 * 0.5 * 1]
    #expect(oneStep(&adamw, weights: [2, -1], gradient: [0, 0]) == decayed)
    var adam = Adam(learningRate: .constant(0.1))
    // Adam's first step is lr * sign(g) (up to eps): m / sqrt(v) = g / |g| after bias correction.
    let w = oneStep(&adam, weights: [0, 0], gradient: [3, -0.5])
    #expect(abs(w[0] + 0.1) < 1e-6, "\(w)")
    #expect(abs(w[1] - 0.1) < 1e-6, "\(w)")
}

@Test func penaltiesAndClippingShapeTheGradient() {
    var sgd = SGD(learningRate: .constant(1))
    // g + l2 * w + l1 * sign(w), then clipped to +-clipValue.
    let w = oneStep(&sgd, weights: [1, -2, 0, 10], gradient: [0.5, 0.5, 0.5, 0.5],
                    policy: GradientPolicy(l1: 0.1, l2: 0.2, clipValue: 1))
    let expected: [Double] = [1 - (0.5 + 0.2 + 0.1), -2 - (0.5 - 0.4 - 0.1), 0 - 0.5, 10 - 1]
    #expect(w == expected)
}

@Test func momentumAccumulatesVelocity() {
    var sgd = SGD(learningRate: .constant(0.1), momentum: 0.9)
    var w = oneStep(&sgd, weights: [0], gradient: [1])
    #expect(w == [-0.1])
    w = oneStep(&sgd, weights: w, gradient: [1])
    let second: Double = -0.1 - (0.9 * 0.1 + 0.1)
    #expect(w == [second])
}
