import EddyFeatures
import EddyPipeline
import Foundation
import Testing

func spec(_ features: String, task: String = "binary", learner: String = "logistic_regression", format: String = "",
          maxBytes: Int = 1 << 20) throws -> PipelineSpec {
    try parse("""
        source:
          brokers: b:1
          topics: [t]
          max_message_bytes: \(maxBytes)
        features:
        \(features)
        task: \(task)
        learner:
          kind: \(learner)
        \(format)
        """)
}

func decode(_ decoder: inout EventDecoder, _ text: String) -> Result<DecodedEvent, DecodeError> {
    decoder.decode(Array(text.utf8))
}

func expectFailure(_ decoder: inout EventDecoder, _ text: String, _ expected: DecodeError,
                   sourceLocation: SourceLocation = #_sourceLocation) {
    switch decode(&decoder, text) {
    case .success(let event): Issue.record("decoded \(text) as \(event)", sourceLocation: sourceLocation)
    // NaN is not equal to itself: compare NaN cases by their text.
    case .failure(let error): #expect(error == expected || error.description == expected.description, "\(text)", sourceLocation: sourceLocation)
    }
}

@Suite struct EventDecoderTests {
    @Test func denseJSONLayout() throws {
        let s = try spec("  numeric: [a, b]\n  vector: emb\n  vector_size: 3\n  label: y")
        var decoder = s.makeDecoder()
        let event = try decode(&decoder, #"{"b": -2.5, "skip": {"x": [1, {"y": "}"}], "z": null}, "emb": [0.5, 1e3, -7], "a": 1, "y": 1}"#).get()
        #expect(event.features == FeatureVector(dense: [1, -2.5, 0.5, 1000, -7]))
        #expect(event.label == 1)
        #expect(s.featureWidth == 5)
    }

    @Test func hashedFeaturesLandAtTheHashersIndices() throws {
        let s = try spec("  numeric: [amount]\n  categorical: [country, device, merchant]\n  hash_bits: 10\n  hash_seed: 3\n  label: fraud")
        var decoder = s.makeDecoder()
        let event = try decode(&decoder, #"{"amount": 12.5, "country": "N\u005A", "device": 7, "merchant": null, "fraud": false}"#).get()
        let hasher = FeatureHasher(bits: 10, seed: 3)
        let country = Int32(1) + hasher.bucket(of: .categorical("country", "NZ")).position
        let device = Int32(1) + hasher.bucket(of: .categorical("device", "7")).position
        let expected = [(Int32(0), 12.5), (country, 1.0), (device, 1.0)].sorted { $0.0 < $1.0 }
        #expect(event.features == FeatureVector(indices: expected.map(\.0), values: expected.map(\.1)))
        #expect(event.label == 0)
        #expect(s.featureWidth == 1 + 1024)
    }

    @Test func collidingCategoriesAddUp() throws {
        let s = try spec("  categorical: [a, b]\n  hash_bits: 1\n  label: y")
        var decoder = s.makeDecoder()
        let event = try decode(&decoder, #"{"a": "u", "b": "v", "y": 0}"#).get()
        let hasher = FeatureHasher(bits: 1, seed: 0)
        let expected = hasher.hash([.categorical("a", "u"), .categorical("b", "v")])
        #expect(event.features == expected)
    }

    @Test func csvLayout() throws {
        let s = try spec("  numeric: [sqft, age]\n  categorical: [hood]\n  hash_bits: 4\n  label: price", task: "regression",
                         learner: "linear_regression", format: "format:\n  type: csv\n  columns: [id, sqft, hood, age, price]\n  delimiter: ';'")
        var decoder = s.makeDecoder()
        let event = try decode(&decoder, "17;1200.5;\"Mt \"\"Eden\"\"\"; 30 ;455000\r\n").get()
        let bucket = Int32(2) + FeatureHasher(bits: 4, seed: 0).bucket(of: .categorical("hood", "Mt \"Eden\"")).position
        #expect(event.features == FeatureVector(indices: [0, 1, bucket], values: [1200.5, 30, 1]))
        #expect(event.label == 455_000)
        expectFailure(&decoder, "17;1200.5;x;30", .columnCount(found: 4, expected: 5))
        expectFailure(&decoder, "17;1200.5;x;30;1;2", .columnCount(found: 6, expected: 5))
        expectFailure(&decoder, "17;;x;30;1", .missingFeature("sqft"))
        expectFailure(&decoder, "17;big;x;30;1", .wrongType(field: "sqft", expected: "a number", found: "'big'"))
        expectFailure(&decoder, "17;1;x;30;", .missingLabel(field: "price"))
        expectFailure(&decoder, "17;1;x;30;cheap", .labelNotANumber(label: "cheap"))
        expectFailure(&decoder, "17;nan;x;30;1", .nonFinite(field: "sqft", value: .nan))
        expectFailure(&decoder, "17;1;\"x;30;1", .malformed(format: "CSV", offset: 5, reason: "unterminated quoted field"))
    }

    @Test func decodeErrors() throws {
        let s = try spec("  numeric: [x1, x2, x3]\n  vector: v\n  vector_size: 2\n  label: y\n  classes: [ham, spam]", maxBytes: 100)
        var decoder = s.makeDecoder()
        let ok = #"{"x1": 1, "x2": 2, "x3": 3, "v": [1, 2], "y": "spam"}"#
        #expect(try decode(&decoder, ok).get().label == 1)
        expectFailure(&decoder, String(repeating: " ", count: 101), .oversize(bytes: 101, limit: 100))
        expectFailure(&decoder, #"{"x1": 1, "x2" 2}"#, .malformed(format: "JSON", offset: 15, reason: "expected ':' after a field name"))
        expectFailure(&decoder, #"{"x1": 1,"#, .malformed(format: "JSON", offset: 9, reason: "expected a field name in double quotes"))
        expectFailure(&decoder, #"[1, 2]"#, .malformed(format: "JSON", offset: 0, reason: "expected '{' to open the event object"))
        expectFailure(&decoder, #"{"x1": 1.2.3}"#, .malformed(format: "JSON", offset: 7, reason: "'1.2.3' is not a number"))
        expectFailure(&decoder, #"{"x1": 1} x"#, .malformed(format: "JSON", offset: 10, reason: "unexpected bytes after the event object"))
        expectFailure(&decoder, #"{"x1": "abc"#, .malformed(format: "JSON", offset: 7, reason: "unterminated string"))
        expectFailure(&decoder, #"{"x1": 1, "x2": 2, "x3": 3, "v": [1, 2]}"#, .missingLabel(field: "y"))
        expectFailure(&decoder, #"{"x1": 1, "x2": 2, "x3": 3, "v": [1, 2], "y": null}"#, .missingLabel(field: "y"))
        expectFailure(&decoder, #"{"x1": 1, "x2": 2, "x3": 3, "v": [1, 2], "y": "eggs"}"#, .labelNotInClasses(label: "eggs", classes: ["ham", "spam"]))
        expectFailure(&decoder, #"{"x1": 1, "x2": 2, "v": [1, 2], "y": "ham"}"#, .missingFeature("x3"))
        expectFailure(&decoder, #"{"x1": 1, "x2": 2, "x3": "7", "v": [1, 2], "y": "ham"}"#,
                      .wrongType(field: "x3", expected: "a number", found: "the string \"7\""))
        expectFailure(&decoder, #"{"x1": 1, "x2": 2, "x3": true, "v": [1, 2], "y": "ham"}"#,
                      .wrongType(field: "x3", expected: "a number", found: "a boolean"))
        expectFailure(&decoder, #"{"x1": NaN, "y": "ham"}"#, .nonFinite(field: "x1", value: .nan))
        expectFailure(&decoder, #"{"x1": -Infinity, "y": "ham"}"#, .nonFinite(field: "x1", value: -.infinity))
        expectFailure(&decoder, #"{"x1": 1e999, "y": "ham"}"#, .nonFinite(field: "x1", value: .infinity))
        expectFailure(&decoder, #"{"x1": -2e12, "y": "ham"}"#, .outOfRange(field: "x1", value: -2e12, limit: 1e12))
        expectFailure(&decoder, #"{"x1": 1, "x2": 2, "x3": 3, "v": [1], "y": "ham"}"#, .vectorLength(field: "v", count: 1, expected: 2))
        expectFailure(&decoder, #"{"x1": 1, "x2": 2, "x3": 3, "v": [1, "a"], "y": "ham"}"#,
                      .wrongType(field: "v", expected: "an array of numbers", found: "the string \"a\""))
        expectFailure(&decoder, #"{"x1": 1, "x2": 2, "x3": 3, "v": 4, "y": "ham"}"#,
                      .wrongType(field: "v", expected: "an array of numbers", found: "a number"))
        // After all these, a good event still decodes.
        #expect(try decode(&decoder, ok).get().features == FeatureVector(dense: [1, 2, 3, 1, 2]))
    }

    @Test func binaryLabelsWithoutClasses() throws {
        var decoder = try spec("  numeric: [x]\n  label: y").makeDecoder()
        for (text, label) in [("true", 1.0), ("false", 0), ("1", 1), ("0", 0), ("1.0", 1), ("\"1\"", 1), ("\"false\"", 0)] {
            #expect(try decode(&decoder, #"{"x": 1, "y": \#(text)}"#).get().label == label, "\(text)")
        }
        expectFailure(&decoder, #"{"x": 1, "y": 2}"#, .labelNotInClasses(label: "2", classes: ["0", "1", "true", "false"]))
        expectFailure(&decoder, #"{"x": 1, "y": "yes"}"#, .labelNotInClasses(label: "yes", classes: ["0", "1", "true", "false"]))
    }

    @Test func multiclassLabelsMatchTextOrNumber() throws {
        var decoder = try spec("  numeric: [x]\n  label: y\n  classes: [\"1\", \"2\", \"3\"]", task: "multiclass", learner: "softmax_regression").makeDecoder()
        #expect(try decode(&decoder, #"{"x": 1, "y": 3}"#).get().label == 2)
        #expect(try decode(&decoder, #"{"x": 1, "y": 2.0}"#).get().label == 1)
        #expect(try decode(&decoder, #"{"x": 1, "y": "1"}"#).get().label == 0)
        expectFailure(&decoder, #"{"x": 1, "y": 4}"#, .labelNotInClasses(label: "4", classes: ["1", "2", "3"]))
    }

    /// Number text parses bit for bit as `Double(String)` does.
    @Test func numbersParseExactlyLikeDoubleFromString() throws {
        var decoder = try spec("  numeric: [x]\n  label: y\n  max_abs_value: none", task: "regression", learner: "linear_regression").makeDecoder()
        var texts = ["1e-300", "-0.0", "0.1", "12345678901234567890", "0.6394267984578837", "2.2250738585072014e-308",
                     "4.9e-324", "1.7976931348623157e308", "123456789012345.6", "9007199254740993", "1E22", "1e23",
                     "0.30000000000000004", "-1.5e-7", "100", "0", "-0", "5e-324", "2.4703282292062327e-324",
                     "0.000000000000000000000000001", "123456789012345678901234567890e-10", "1.00000000000000011102230246251565404236316680908203125"]
        var rng = XorShift(state: 0x9E37_79B9_7F4A_7C15)
        for _ in 0..<2000 {
            let value = Double(bitPattern: rng.next() & 0x7FEF_FFFF_FFFF_FFFF | (rng.next() & 1) << 63)
            texts.append("\(value)")
            texts.append(String(format: "%.6g", Double.random(in: -1000...1000, using: &rng)))
        }
        // What producers print for doubles of everyday size: 16-17 significant digits.
        for _ in 0..<5_000 {
            let value = Double.random(in: -10...10, using: &rng) * [1, 1e-3, 1e-6, 1e4, 1e9][Int(rng.next() % 5)]
            texts.append("\(value)")
            texts.append(String(format: "%.17g", value))
            texts.append(String(format: "%.19e", value))
        }
        for text in texts {
            let expected = try #require(Double(text), "\(text)")
            let event = try decode(&decoder, #"{"x": \#(text), "y": \#(text)}"#).get()
            #expect(event.features.values[0].bitPattern == expected.bitPattern, "\(text)")
            #expect(event.label.bitPattern == expected.bitPattern, "\(text)")
        }
    }

    @Test func standardScalingInPrequentialOrder() throws {
        let s = try spec("  numeric: [a, b]\n  categorical: [c]\n  hash_bits: 3\n  scale: standard\n  label: y")
        var decoder = s.makeDecoder()
        var reference = StandardScaler()
        var event = DecodedEvent()
        for (a, b) in [(1.0, 10.0), (3.0, 10.0), (-2.0, 4.0), (8.0, 0.5)] {
            try Array(#"{"a": \#(a), "b": \#(b), "c": "k", "y": 1}"#.utf8).withUnsafeBytes { bytes in
                try decoder.decode(bytes, into: &event)
            }
            let raw = FeatureVector(dense: [a, b])
            let before = reference.transform(raw)
            #expect(Array(event.features.values[0..<2]) == before.values)
            #expect(event.numeric == raw)
            decoder.learnScaling(&event)
            let after = reference.learnTransform(raw)
            #expect(Array(event.features.values[0..<2]) == after.values)
            #expect(event.features.values[2] == 1)
        }
        var restored = s.makeDecoder()
        try restored.restoreState(decoder.stateBlob())
        #expect(restored.scaler == decoder.scaler)
        #expect(restored.scaler == reference)
    }
}

/// A fixed-seed generator, so the random number texts are the same on every run.
struct XorShift: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return state
    }
}
