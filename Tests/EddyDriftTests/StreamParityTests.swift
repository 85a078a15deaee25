import EddyFeatures
import Testing
@testable import EddyDrift

/// River 0.26.1's first 400 events per generator, written by ops/fixtures/streams_reference.py.
struct StreamsReference: Decodable, Sendable {
    struct Case: Decodable, Sendable, CustomTestStringConvertible {
        let generator: String
        let params: [String: String]
        let x: [[Double]]
        let y: [Double]
        var testDescription: String { "\(generator) \(params.sorted { $0.key < $1.key })" }
    }
    let river: String
    let cases: [Case]

    static let shared: StreamsReference = try! Fixture.load("streams_reference", as: StreamsReference.self)
}

/// The generator a fixture case describes, built with River's parameter names.
func makeStream(_ c: StreamsReference.Case) throws -> any SyntheticStream {
    let p = c.params
    func int(_ k: String, _ d: Int) -> Int { p[k].map { Int($0)! } ?? d }
    func double(_ k: String, _ d: Double) -> Double { p[k].map { Double($0)! } ?? d }
    func bool(_ k: String) -> Bool { p[k] == "true" }
    switch c.generator {
    case "sea":
        return try SEA(variant: int("variant", 0), noise: double("noise", 0), seed: int("seed", 0))
    case "agrawal":
        return try Agrawal(classificationFunction: int("classification_function", 0), seed: int("seed", 0),
                           balanceClasses: bool("balance_classes"), perturbation: double("perturbation", 0))
    case "hyperplane":
        return try Hyperplane(seed: int("seed", 0), featureCount: int("n_features", 10), driftFeatureCount: int("n_drift_features", 2),
                              magChange: double("mag_change", 0), noisePercentage: double("noise_percentage", 0.05),
                              sigma: double("sigma", 0.1))
    case "stagger":
        return try STAGGER(classificationFunction: int("classification_function", 0), seed: int("seed", 0),
                           balanceClasses: bool("balance_classes"))
    case "concept_drift_agrawal":
        // River's defaults: Agrawal(seed) drifting to Agrawal(seed, classification_function=2)
        let seed = int("seed", 0)
        return try ConceptDriftStream(stream: Agrawal(seed: seed), driftStream: Agrawal(classificationFunction: 2, seed: seed),
                                      position: int("position", 5000), width: int("width", 1000), seed: seed)
    case "concept_drift_sea":
        return try ConceptDriftStream(stream: SEA(variant: 0, seed: 1), driftStream: STAGGER(seed: 2),
                                      position: int("position", 5000), width: int("width", 1000), seed: int("seed", 0))
    default:
        throw StreamConfigurationError(message: "no generator \(c.generator)")
    }
}

@Suite struct StreamParityTests {
    @Test(arguments: StreamsReference.shared.cases)
    func firstEventsEqualRiversBitForBit(_ reference: StreamsReference.Case) throws {
        var stream = try makeStream(reference)
        for i in 0..<reference.y.count {
            let (x, y) = stream.next()
            #expect(x.values.map(\.bitPattern) == reference.x[i].map(\.bitPattern), "event \(i)")
            #expect(y == reference.y[i], "event \(i)")
            if x.values != reference.x[i] || y != reference.y[i] { break }
        }
    }

    @Test(arguments: StreamsReference.shared.cases)
    func sameSeedSameStream(_ reference: StreamsReference.Case) throws {
        var a = try makeStream(reference), b = try makeStream(reference)
        for _ in 0..<1000 {
            let (xa, ya) = a.next(), (xb, yb) = b.next()
            #expect(xa.values.map(\.bitPattern) == xb.values.map(\.bitPattern) && ya == yb)
        }
    }

    @Test func differentSeedsDiffer() throws {
        var a = try SEA(seed: 1), b = try SEA(seed: 2)
        #expect(a.take(5).map(\.x) != b.take(5).map(\.x))
    }

    @Test func mixerSwitchesAroundThePosition() throws {
        var stream = try ConceptDriftStream(stream: STAGGER(classificationFunction: 0, seed: 1),
                                            driftStream: STAGGER(classificationFunction: 2, seed: 1),
                                            position: 500, alpha: 90, seed: 4)
        // width 1: before 490 every event follows function 0, after 510 every event function 2
        for i in 1...1000 {
            let (x, y) = stream.next()
            let size = x.values[0], color = x.values[1]
            if i < 490 { #expect(y == (size == 0 && color == 0 ? 1 : 0)) }
            if i > 510 { #expect(y == (size >= 1 ? 1 : 0)) }
        }
    }

    @Test func badParametersAreRefused() {
        #expect(throws: StreamConfigurationError.self) { _ = try SEA(variant: 4) }
        #expect(throws: StreamConfigurationError.self) { _ = try Hyperplane(magChange: 2) }
        #expect(throws: StreamConfigurationError.self) { _ = try Agrawal(classificationFunction: 10) }
        #expect(throws: StreamConfigurationError.self) {
            _ = try ConceptDriftStream(stream: SEA(seed: 1), driftStream: Agrawal(seed: 1))
        }
    }
}

@Suite struct PythonRandomTests {
    @Test func matchesCPythonForSmallAndLargeSeeds() {
        // CPython 3.11: random.Random(42).random(), random.Random(2**40 + 5).random(), random.Random(0).random()
        var a = PythonRandom(seed: 42), b = PythonRandom(seed: (1 << 40) + 5), c = PythonRandom(seed: 0)
        #expect(a.random() == 0.6394267984578837)
        #expect(b.random() == 0.5043802970418443)
        #expect(c.random() == 0.8444218515250481)
    }
}
