import EddyFeatures
import Testing

@Test func denseVectorVisitsPositionsInOrder() {
    let x = FeatureVector(dense: [0.5, -1, 2])
    var seen: [(Int, Double)] = []
    x.forEach { seen.append(($0, $1)) }
    #expect(x.isDense)
    #expect(seen.map(\.0) == [0, 1, 2])
    #expect(seen.map(\.1) == [0.5, -1, 2])
}

@Test func sparseVectorVisitsItsIndices() {
    let x = FeatureVector(indices: [7, 90_311], values: [1, 3])
    var seen: [(Int, Double)] = []
    x.forEach { seen.append(($0, $1)) }
    #expect(!x.isDense)
    #expect(seen.map(\.0) == [7, 90_311])
}

@Test func firstNonFiniteNamesThePosition() {
    #expect(FeatureVector(dense: [1, 2]).firstNonFinite == nil)
    let bad = FeatureVector(indices: [4, 9], values: [1, .nan])
    #expect(bad.firstNonFinite?.position == 9)
    #expect(FeatureVector(dense: [.infinity]).firstNonFinite?.value == .infinity)
}
