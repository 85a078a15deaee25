import EddyCodec
import Testing
@testable import EddyDrift

/// River 0.26.1's detections, written by ops/fixtures/drift_reference.py.
struct DriftReference: Decodable, Sendable {
    struct Case: Decodable, Sendable, CustomTestStringConvertible {
        let detector: String
        let params: [String: String]
        let stream: String
        let drifts: [Int]
        let warnings: [Int]
        var testDescription: String { "\(detector) \(params.sorted { $0.key < $1.key }) on \(stream)" }
    }
    let river: String
    let streams: [String: [Double]]
    let cases: [Case]

    static let shared: DriftReference = try! Fixture.load("drift_reference", as: DriftReference.self)
}

/// Runs a detector over values and collects the indices of its drifts and warnings.
func detections(_ detector: inout any DriftDetector, _ values: some Sequence<Double>, offset: Int = 0) -> (drifts: [Int], warnings: [Int]) {
    var drifts: [Int] = [], warnings: [Int] = []
    for (i, v) in values.enumerated() {
        detector.update(v)
        if detector.driftDetected { drifts.append(i + offset) }
        if detector.warningDetected { warnings.append(i + offset) }
    }
    return (drifts, warnings)
}

@Suite struct DetectorParityTests {
    @Test func fixtureCoversEveryDetectorOnThreeKindsOfStream() {
        let reference = DriftReference.shared
        #expect(reference.river == "0.26.1")
        for name in DetectorCatalog.names {
            let streams = Set(reference.cases.filter { $0.detector == name }.map { $0.stream.split(separator: "/").last! })
            #expect(streams.isSuperset(of: ["abrupt", "gradual", "none"]), "\(name)")
            #expect(reference.cases.contains { $0.detector == name && !$0.drifts.isEmpty }, "\(name) never drifts in the fixture")
        }
    }

    @Test(arguments: DriftReference.shared.cases)
    func driftAndWarningIndicesEqualRivers(_ reference: DriftReference.Case) throws {
        var detector = try DetectorCatalog.make(reference.detector, parameters: reference.params)
        let (drifts, warnings) = detections(&detector, DriftReference.shared.streams[reference.stream]!)
        #expect(drifts == reference.drifts)
        #expect(warnings == reference.warnings)
    }

    @Test(arguments: DriftReference.shared.cases)
    func serialiseRestoreAndContinueMatchesAnUninterruptedRun(_ reference: DriftReference.Case) throws {
        let values = DriftReference.shared.streams[reference.stream]!
        for cut in [517, reference.drifts.first.map { $0 + 1 } ?? values.count / 2] {
            var first = try DetectorCatalog.make(reference.detector, parameters: reference.params)
            let head = detections(&first, values[..<cut])
            var restored = try restore(first.serialized(), as: type(of: first))
            #expect(restored.serialized() == first.serialized())
            let tail = detections(&restored, values[cut...], offset: cut)
            #expect(head.drifts + tail.drifts == reference.drifts, "cut at \(cut)")
            #expect(head.warnings + tail.warnings == reference.warnings, "cut at \(cut)")
        }
    }

    private func restore(_ blob: [UInt8], as type: any DriftDetector.Type) throws -> any DriftDetector {
        try type.init(state: blob)
    }
}

@Suite struct DetectorStateTests {
    @Test(arguments: DetectorCatalog.names)
    func corruptedTruncatedAndForeignBlobsAreRefused(_ name: String) throws {
        var detector = try DetectorCatalog.make(name, parameters: name == "kswin" ? ["seed": "1"] : [:])
        for v in 0..<300 { detector.update(Double(v % 7 == 0 ? 1 : 0)) }
        let blob = detector.serialized()
        let type = Swift.type(of: detector)
        var flipped = blob
        flipped[blob.count / 2] ^= 0x40
        #expect(throws: StateError.checksumMismatch) { _ = try type.init(state: flipped) }
        #expect(throws: StateError.self) { _ = try type.init(state: Array(blob.dropLast(9))) }
        let other = name == "ddm" ? try EDDM().serialized() : try DDM().serialized()
        #expect(throws: StateError.self) { _ = try type.init(state: other) }
    }

    @Test(arguments: DetectorCatalog.names)
    func catalogRestoresAnyDetectorFromItsBlob(_ name: String) throws {
        var detector = try DetectorCatalog.make(name, parameters: name == "kswin" ? ["seed": "3"] : [:])
        for v in 0..<500 { detector.update(Double(v % 4 == 0 ? 1 : 0)) }
        let restored = try DetectorCatalog.restore(detector.serialized())
        #expect(type(of: restored).kind == name)
        #expect(restored.serialized() == detector.serialized())
        #expect(throws: StateError.self) { _ = try DetectorCatalog.restore(Accuracy().serialized()) }
    }

    @Test func copiesAreIndependent() throws {
        var a = try ADWIN(clock: 1)
        for i in 0..<1000 { a.update(Double(i % 3)) }
        let before = a.serialized()
        var b = a
        for i in 0..<5000 { b.update(Double(i % 5) + 10) }
        #expect(a.serialized() == before)
        #expect(b.serialized() != before)
        a.reset()
        #expect(b.width > 0)
    }

    @Test func resetForgetsTheWindow() throws {
        var a = try ADWIN(clock: 1)
        for i in 0..<500 { a.update(Double(i % 2)) }
        a.reset()
        #expect(a.width == 0)
        #expect(a.serialized() == (try ADWIN(clock: 1)).serialized())
    }
}

@Suite struct DetectorCatalogTests {
    @Test func unknownNamesAndParametersListWhatIsAllowed() {
        #expect(throws: DriftConfigurationError.unknownDetector(name: "adwn", allowed: DetectorCatalog.names)) {
            _ = try DetectorCatalog.make("adwn")
        }
        #expect(throws: DriftConfigurationError.unknownParameter(detector: "ddm", name: "delta", allowed: DetectorCatalog.parameters["ddm"]!)) {
            _ = try DetectorCatalog.make("ddm", parameters: ["delta": "1"])
        }
        #expect(throws: DriftConfigurationError.self) { _ = try DetectorCatalog.make("adwin", parameters: ["delta": "x"]) }
        #expect(throws: DriftConfigurationError.self) { _ = try DetectorCatalog.make("adwin", parameters: ["delta": "2"]) }
        #expect(throws: DriftConfigurationError.outOfRange(detector: "adwin", parameter: "max_buckets", value: "1",
                                                           allowed: "max_buckets >= 2 (River fails with 1)")) {
            _ = try DetectorCatalog.make("adwin", parameters: ["max_buckets": "1"])
        }
        #expect(throws: DriftConfigurationError.self) { _ = try DetectorCatalog.make("kswin", parameters: ["stat_size": "60"]) }
        #expect(throws: DriftConfigurationError.self) { _ = try DetectorCatalog.make("page_hinkley", parameters: ["mode": "sideways"]) }
        #expect(DetectorCatalog.types.map { $0.kind } == DetectorCatalog.names)
        #expect(DetectorCatalog.names.allSatisfy { DetectorCatalog.parameters[$0] != nil })
        let message = DriftConfigurationError.unknownDetector(name: "x", allowed: DetectorCatalog.names).description
        #expect(message.contains("adwin, page_hinkley, kswin, ddm, eddm, hddm_a, hddm_w"))
    }
}
