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
