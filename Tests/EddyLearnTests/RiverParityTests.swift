import EddyFeatures
import EddyLearn
import Foundation
import Testing

@Test func logisticRegressionMatchesRiverAfterTenThousandEvents() throws {
    let fixture = try loadFixture("logreg_river")
    let xs = matrix(fixture["x"]), ys = doubles(fixture["y"])
    let lr = (fixture["learning_rate"] as! NSNumber).doubleValue
    var model = LogisticRegression(features: 20, optimizer: SGD(learningRate: .constant(lr)))
    for i in 0..<xs.count { try model.learnChecked(FeatureVector(dense: xs[i]), label: ys[i]) }
    #expect(xs.count == 10_000)
    let expected = doubles(fixture["weights"])
    for j in 0..<20 { #expect(abs(model.weights[j] - expected[j]) < 1e-9, "weight x\(j)") }
    #expect(abs(model.bias - (fixture["intercept"] as! NSNumber).doubleValue) < 1e-9)
    let heldOut = matrix(fixture["held_out_x"]), proba = doubles(fixture["held_out_proba"])
    var output = [0.0, 0.0]
    for i in 0..<heldOut.count {
        model.predict(FeatureVector(dense: heldOut[i]), into: &output)
        #expect(abs(output[1] - proba[i]) < 1e-9)
    }
}

func riverOptimizerCase(_ name: String, _ optimizer: some Optimizer) throws {
    let fixture = try loadFixture("logreg_river")
    let xs = matrix(fixture["x"]), ys = doubles(fixture["y"])
    let expected = try #require((fixture["optimizers"] as? [String: Any])?[name] as? [String: Any])
    var model = LogisticRegression(features: 20, optimizer: optimizer)
    for i in 0..<2_000 { try model.learnChecked(FeatureVector(dense: xs[i]), label: ys[i]) }
    let weights = doubles(expected["weights"])
    for j in 0..<20 { #expect(abs(model.weights[j] - weights[j]) < 1e-9, "\(name) weight x\(j)") }
    #expect(abs(model.bias - (expected["intercept"] as! NSNumber).doubleValue) < 1e-9, "\(name) intercept")
}

@Test func momentumMatchesRiver() throws { try riverOptimizerCase("momentum", SGD(learningRate: .constant(0.01), momentum: 0.9)) }
@Test func inverseScalingMatchesRiver() throws { try riverOptimizerCase("inverse_scaling", SGD(learningRate: .inverseScaling(0.1, power: 0.5))) }
@Test func adaGradMatchesRiver() throws { try riverOptimizerCase("adagrad", AdaGrad(learningRate: .constant(0.1))) }
@Test func rmspropMatchesRiver() throws { try riverOptimizerCase("rmsprop", RMSprop(learningRate: .constant(0.01), rho: 0.9)) }
@Test func adamMatchesRiver() throws { try riverOptimizerCase("adam", Adam(learningRate: .constant(0.01))) }

@Test func linearRegressionMatchesRiver() throws {
    let fixture = try loadFixture("logreg_river")
    let xs = matrix(fixture["x"]), ys = doubles(fixture["regression_y"])
    var model = LinearRegression(features: 20, optimizer: SGD(learningRate: .constant(0.01)))
    for i in 0..<ys.count { try model.learnChecked(FeatureVector(dense: xs[i]), label: ys[i]) }
    let weights = doubles(fixture["regression_weights"])
    for j in 0..<20 { #expect(abs(model.weights[j] - weights[j]) < 1e-9, "weight x\(j)") }
    #expect(abs(model.bias - (fixture["regression_intercept"] as! NSNumber).doubleValue) < 1e-9)
}
