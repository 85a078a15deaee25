import EddyCodec
import EddyFeatures
import Foundation
import Testing

@Test func murmurHash3MatchesPublishedVectors() {
    func murmur(_ text: String, _ seed: UInt32) -> UInt32 {
        var h = MurmurHash3(seed: seed)
        h.combine(text)
        return h.finalize()
    }
    #expect(murmur("", 0) == 0)
    #expect(murmur("", 1) == 0x514E_28B7)
    #expect(murmur("test", 0) == 0xBA6B_D213)
    #expect(murmur("Hello, world!", 1234) == 0xFAF6_CDB3)
    #expect(murmur("The quick brown fox jumps over the lazy dog", 0) == 0x2E4F_F723)
}

@Test func hasherBucketsAreSeededSortedAndSumCollisions() {
    let hasher = FeatureHasher(bits: 4, seed: 3)
    let features: [Feature] = (0..<40).map { .categorical("f\($0 % 7)", "v\($0)") } + [.numeric("amount", 2.5)]
    let x = hasher.hash(features)
    #expect(x.indices == x.indices.sorted() && Set(x.indices).count == x.indices.count)
    #expect(x.indices.allSatisfy { $0 >= 0 && $0 < 16 })
    #expect(abs(x.values.reduce(0, +) - 42.5) < 1e-12)
    var expected = [Double](repeating: 0, count: 16)
    for f in features {
        let (p, s) = hasher.bucket(of: f)
        if case .numeric(_, let v) = f { expected[Int(p)] += s * v } else { expected[Int(p)] += s }
    }
    for (k, p) in x.indices.enumerated() { #expect(x.values[k] == expected[Int(p)]) }
    // Same key, same bucket; another seed moves keys.
    #expect(hasher.bucket(of: .categorical("country", "NZ")) == hasher.bucket(of: .categorical("country", "NZ")))
    let other = FeatureHasher(bits: 18, seed: 4), base = FeatureHasher(bits: 18, seed: 3)
    let moved = (0..<50).filter { other.bucket(of: .numeric("n\($0)", 1)).position != base.bucket(of: .numeric("n\($0)", 1)).position }
    #expect(moved.count > 45)
    // Signed hashing flips about half the values.
    let signed = FeatureHasher(bits: 18, seed: 3, alternateSign: true)
    let negative = (0..<200).filter { signed.bucket(of: .numeric("n\($0)", 1)).sign < 0 }.count
    #expect(negative > 70 && negative < 130)
}

@Test func standardScalerMatchesRiver() throws {
    let url = try #require(Bundle.module.url(forResource: "Fixtures/standard_scaler_river", withExtension: "json"))
    let fixture = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    let names = fixture["names"] as! [String]
    var scaler = StandardScaler()
    var checked = 0
    for event in fixture["events"] as! [[String: Any]] {
        let x = event["x"] as! [String: NSNumber], out = event["out"] as! [String: NSNumber]
        let present = names.indices.filter { x[names[$0]] != nil }
        let input = FeatureVector(indices: present.map { Int32($0) }, values: present.map { x[names[$0]]!.doubleValue })
        let scaled = scaler.learnTransform(input)
        #expect(scaled.indices == input.indices)
        for (k, i) in present.enumerated() {
            let expected = out[names[i]]!.doubleValue
            #expect(abs(scaled.values[k] - expected) <= 1e-12 * max(1, abs(expected)), "feature \(names[i])")
            checked += 1
        }
    }
    #expect(checked > 1_000)
    #expect(scaler.variances[3] == 0)  // the constant feature scales to 0, as in River
    #expect(try StandardScaler(stateBlob: scaler.stateBlob()) == scaler)
}

@Test func standardScalerTransformAloneDoesNotLearn() {
    var scaler = StandardScaler()
    _ = scaler.learnTransform(FeatureVector(dense: [1, 10]))
    _ = scaler.learnTransform(FeatureVector(dense: [3, 10]))
    let before = scaler
    #expect(scaler.transform(FeatureVector(dense: [3, 12])).values == [1, 0])
    #expect(scaler == before)
}

@Test func oneHotEncoderGivesStablePositions() throws {
    var encoder = OneHotEncoder(capacity: 3)
    let a = encoder.learnTransform([.categorical("color", "red"), .categorical("size", "L")])
    #expect(a.indices == [0, 1] && a.values == [1, 1])
    let b = encoder.learnTransform([.categorical("size", "L"), .categorical("color", "blue"), .categorical("color", "green")])
    #expect(b.indices == [1, 2] && encoder.dropped == 1)
    #expect(encoder.transform([.categorical("color", "red"), .categorical("color", "pink")]).indices == [0])
    let restored = try OneHotEncoder(stateBlob: encoder.stateBlob())
    #expect(restored == encoder)
    var corrupted = encoder.stateBlob()
    corrupted[corrupted.count / 2] ^= 1
    #expect(throws: StateError.self) { _ = try OneHotEncoder(stateBlob: corrupted) }
}
