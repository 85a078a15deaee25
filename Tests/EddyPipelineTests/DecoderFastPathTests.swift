import EddyPipeline
import Testing

/// The decoder's fast paths (the exact small-decimal number path, the expected-next-field and
/// key-filter look-up) against their oracles: `Double(String)` and the field names themselves.
@Suite struct DecoderFastPathTests {
    @Test func numbersAtTheFastPathsEdgesParseLikeDoubleFromString() throws {
        var decoder = try spec("  numeric: [x]\n  label: y\n  max_abs_value: none", task: "regression", learner: "linear_regression").makeDecoder()
        var texts = [
            // Around 2^53, the largest mantissa the one-operation path takes.
            "9007199254740991", "9007199254740992", "9007199254740993", "9007199254740994",
            "-9007199254740992", "9007199254740992e22", "9007199254740993e22", "9007199254740992e-22",
            "9007199254740993e-22", "900719925474099.3", "900719925474099.2e-7",
            // Powers of ten at and beyond the exact ones.
            "1e22", "1e23", "1e-22", "1e-23", "1E+22", "1e+023", "3e22", "3e23", "7e-22", "7e-23",
            "123e-22", "123e-23", "4.5e21", "4.5e22", "1e27", "1e-27", "1e28", "1e-28", "2.5e-0",
            // 19 and 20 significant digits.
            "1234567890123456789", "12345678901234567890", "9999999999999999999", "99999999999999999999",
            "18446744073709551615", "18446744073709551616", "10000000000000000000", "1.000000000000000000",
            "1.0000000000000000000", "0.1234567890123456789", "0.12345678901234567891", "-1.234567890123456789e-5",
            "0.0000001234567890123456789", "0.00000012345678901234567891", "1234567890.123456789e10",
            // Zeros and leading zeros.
            "-0.0", "-0", "0", "0.0", "0.000", "-0.000e5", "0e-400", "0001.5", "-000.000123", "00",
            "0.0000000000000000000000001234", "000000000000000000000000000001",
            // Extremes.
            "1e308", "1.7976931348623157e308", "5e-324", "4.9406564584124654e-324", "2.2250738585072014e-308",
            "2.2250738585072011e-308", "1e-400",
            // What Python's round(x, 6) prints.
            "-0.123456", "1.5", "0.25", "-7.617602", "0.050315", "1.13118", "1e-06", "-5e-06", "123456.789012",
            // The short decimal path's edges: seven digits either side of the point, then eight.
            "7", "-7", "1234567", "12345678", "1234567.1234567", "-1234567.1234567", "12345678.1234567",
            "1234567.12345678", "0.1234567", "-0.0000001", "9999999.9999999", "1.0", "10.01", "-0.5",
        ]
        for e in -30...30 { texts.append("7e\(e)"); texts.append("-1.1e\(e)") }
        // Runs of 1 to 20 digits, read eight bytes at a time wherever eight bytes are readable.
        for k in 1...20 {
            let run = String("98765432109876543210".prefix(k))
            texts += [run, "-\(run)", "0.\(run)", "\(run).5", "1.\(run)e-3", "0.000\(run)", "\(run)0000"]
        }
        for text in texts {
            let expected = try #require(Double(text), "\(text)")
            let event = try decode(&decoder, #"{"x": \#(text), "y": \#(text)}"#).get()
            #expect(event.features.values[0].bitPattern == expected.bitPattern, "\(text)")
            #expect(event.label.bitPattern == expected.bitPattern, "\(text)")
        }
    }

    @Test func fieldsAreFoundInAnyOrderBesideUnknownLookalikes() throws {
        var decoder = try spec("  numeric: [x1, x10, a, \"\"]\n  label: y", task: "regression",
                                learner: "linear_regression").makeDecoder()
        let events = [
            #"{"x1": 1, "x10": 2, "a": 3, "": 4, "y": 5}"#,
            #"{"y": 5, "": 4, "a": 3, "x10": 2, "x1": 1}"#,
            #"{"x": 9, "x100": 9, "x1": 1, "x01": 9, "X10": 9, "x10": 2, "aa": 9, "a": 3, " ": 9, "": 4, "yy": 9, "y": 5}"#,
            #"{"a": 3, "x1": 1, "y": 5, "x10": 2, "\u0061b": 9, "": 4}"#,
        ]
        for text in events {
            let event = try decode(&decoder, text).get()
            #expect(event.features.values == [1, 2, 3, 4], "\(text)")
            #expect(event.label == 5, "\(text)")
        }
        expectFailure(&decoder, #"{"x1": 1, "x10": 2, "a": 3, "y": 5, "x11": 9}"#, .missingFeature(""))
    }

    /// Keys compared as whole words (the expected next field's `"name"`, for names of at most
    /// 14 bytes) match only themselves: not their prefixes, not longer names starting with them;
    /// escaped keys and longer names still take the look-up. The events are long enough that
    /// every key has the 16 bytes the word comparison reads.
    @Test func keysComparedAsWordsMatchOnlyThemselves() throws {
        var decoder = try spec("  numeric: [x1, x10, abcdefghijklmn, abcdefghijklmno]\n  label: y", task: "regression",
                                learner: "linear_regression").makeDecoder()
        let pad = #""pad": "................................""#
        let events = [
            #"{"x1": 1, "x10": 2, "abcdefghijklmn": 3, "abcdefghijklmno": 4, "y": 5, \#(pad)}"#,
            #"{"x10": 2, "x1": 1, "abcdefghijklm": 9, "abcdefghijklmn": 3, "abcdefghijklmnop": 9, "abcdefghijklmno": 4, "y": 5, \#(pad)}"#,
            #"{"x1": 1, "x100": 9, "x10": 2, "abcdefghijklmno": 4, "abcdefghijklmn": 3, "yy": 9, "y": 5, \#(pad)}"#,
            #"{"\u0078\u0031": 1, "x1\u0030": 2, "abcdefghijklmn" : 3, "abcdefghijklmno"  :4, "y":5, \#(pad)}"#,
            #"{"X1": 9, "x1": 1, "x10": 2, "abcdefghijklmN": 9, "abcdefghijklmn": 3, "abcdefghijklmno": 4, "y": 5, \#(pad)}"#,
        ]
        for text in events {
            let event = try decode(&decoder, text).get()
            #expect(event.features.values == [1, 2, 3, 4], "\(text)")
            #expect(event.numeric.values == [1, 2, 3, 4], "\(text)")
            #expect(event.label == 5, "\(text)")
        }
        expectFailure(&decoder, #"{"x1": 1, "x10": 2, "abcdefghijklmno": 4, "y": 5, "abcdefghijklmnX": 3, \#(pad)}"#,
                      .missingFeature("abcdefghijklmn"))
    }

    /// Past the first 64 fields, which fields an event had is tracked apart; a missing one is
    /// still named.
    @Test func eventsWithMoreThanSixtyFourFieldsAreCheckedWhole() throws {
        let names = (0..<70).map { "v\($0)" }
        var decoder = try spec("  numeric: [\(names.joined(separator: ", "))]\n  label: y", task: "regression",
                                learner: "linear_regression").makeDecoder()
        func event(without missing: Int?) -> String {
            let fields = names.indices.filter { $0 != missing }.map { "\"v\($0)\": \($0)" }
            return "{" + (fields + ["\"y\": 1"]).joined(separator: ", ") + "}"
        }
        let whole = try decode(&decoder, event(without: nil)).get()
        #expect(whole.features.values == names.indices.map(Double.init))
        expectFailure(&decoder, event(without: 66), .missingFeature("v66"))
        expectFailure(&decoder, event(without: 3), .missingFeature("v3"))
        #expect(try decode(&decoder, event(without: nil)).get() == whole)
    }

    /// Compact JSON, whose `"name":number,` fields the compact lane reads, decodes exactly as
    /// the same event with a space after each colon, which only the general reader takes: the
    /// same values bit for bit, or the same error. The events make the lane stop part-way:
    /// keys out of order, unknown or repeated, numbers it leaves to the general reader, values
    /// beyond the limit, a missing field, the label or a string in between, a last field.
    @Test func compactEventsDecodeAsTheirSpacedTwins() throws {
        let names = ["a", "b1", "b10", "c", "d", "e", "f", "g"]
        var decoder = try spec("  numeric: [\(names.joined(separator: ", "))]\n  categorical: [s]\n  label: y\n  max_abs_value: 10000000",
                               task: "regression", learner: "linear_regression").makeDecoder()
        let numbers = ["0.095461", "-1.5", "7", "-0", "0", "-0.0", "1234567", "9999999.9999999", "1e3", "-2.5E-3", "999.9999",
                       "-1000", "0.1234567", "0.12345678", "1.0e0", "-0.000001", "12.75", "10000000.0000001", "-12345678", "NaN", "1e8"]
        var state: UInt64 = 2026
        func draw(_ n: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(n))
        }
        var compactOnes = 0
        for _ in 0..<4000 {
            // A value the limit or NaN refuses (the last four) in about one field of 25.
            var fields = names.map { ($0, numbers[draw(100) < 4 ? numbers.count - 4 + draw(4) : draw(numbers.count - 4)]) }
            if draw(4) == 0 { fields.swapAt(draw(fields.count), draw(fields.count)) }
            if draw(8) == 0 { fields.remove(at: draw(fields.count)) }
            if draw(6) == 0 { fields.insert(("b100", "5.5"), at: draw(fields.count + 1)) }
            if draw(8) == 0 { fields.insert(fields[draw(fields.count)], at: draw(fields.count + 1)) }
            if draw(3) == 0 { fields.insert(("s", "\"shop\""), at: draw(fields.count + 1)) }
            fields.insert(("y", numbers[draw(5)]), at: draw(3) == 0 ? draw(fields.count + 1) : fields.count)
            let compact = "{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
            let spaced = "{" + fields.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ",") + "}"
            switch (decode(&decoder, compact), decode(&decoder, spaced)) {
            case (.success(let c), .success(let s)):
                compactOnes += 1
                #expect(c.features.values.map(\.bitPattern) == s.features.values.map(\.bitPattern), "\(compact)")
                #expect(c.features.indices == s.features.indices, "\(compact)")
                #expect(c.label.bitPattern == s.label.bitPattern, "\(compact)")
            case (.failure(let c), .failure(let s)):
                #expect(c == s || c.description == s.description, "\(compact)")
            case (let c, let s):
                Issue.record("\(compact): compact \(c), spaced \(s)")
            }
        }
        #expect(compactOnes > 1000)
    }

    /// One decoder decoding every message into one reused event (as `eddy run` does), from its
    /// reused padded copy of the message, gives what a fresh decoder gives a fresh event: for
    /// whole compact events, for the same events cut short at any byte (the copy's bytes after
    /// the end then still hold the longer message before, which must read as nothing), and for
    /// failures in between. With hashed features too, whose buckets follow the dense values.
    @Test func reusedEventsAndCopiesDecodeAsFreshOnes() throws {
        for features in ["  numeric: [a, b1, c, d]\n  label: y", "  numeric: [a, b1, c, d]\n  categorical: [s]\n  label: y"] {
            let spec = try spec(features, task: "regression", learner: "linear_regression")
            var reused = spec.makeDecoder()
            var event = DecodedEvent()
            var state: UInt64 = 7
            func draw(_ n: Int) -> Int {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return Int((state >> 33) % UInt64(n))
            }
            let numbers = ["0.095461", "-1.5", "7", "-0.25", "12.75", "1234567.1234567", "-0.000001", "3"]
            var decoded = 0
            for _ in 0..<3000 {
                var fields = ["a", "b1", "c", "d"].map { "\"\($0)\":\(numbers[draw(numbers.count)])" }
                if draw(2) == 0 { fields.insert(#""s":"shop\#(draw(3))""#, at: draw(fields.count + 1)) }
                fields.append("\"y\":\(numbers[draw(numbers.count)])")
                let whole = Array(("{" + fields.joined(separator: ",") + "}").utf8)
                let message = draw(3) == 0 ? Array(whole.prefix(1 + draw(whole.count))) : whole
                var fresh = spec.makeDecoder()
                let expected = fresh.decode(message)
                let got: Result<DecodedEvent, DecodeError> = message.withUnsafeBytes { bytes in
                    do throws(DecodeError) {
                        try reused.decode(bytes, into: &event)
                        return .success(event)
                    } catch {
                        return .failure(error)
                    }
                }
                let text = String(decoding: message, as: UTF8.self)
                switch (got, expected) {
                case (.success(let g), .success(let e)):
                    decoded += 1
                    #expect(g.features.values.map(\.bitPattern) == e.features.values.map(\.bitPattern), "\(text)")
                    #expect(g.features.indices == e.features.indices, "\(text)")
                    #expect(g.numeric == e.numeric && g.label.bitPattern == e.label.bitPattern, "\(text)")
                case (.failure(let g), .failure(let e)):
                    #expect(g == e, "\(text)")
                case (let g, let e):
                    Issue.record("\(text): reused \(g), fresh \(e)")
                }
            }
            #expect(decoded > 1500)
        }
    }
}
