extension EventDecoder {
    private static let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\")

    private func malformed(_ offset: Int, _ reason: String) -> DecodeError {
        .malformed(format: "JSON", offset: offset, reason: reason)
    }

    @inline(__always)
    private func skipSpace(_ p: UnsafePointer<UInt8>, _ n: Int, _ i: Int) -> Int {
        var i = i
        while i < n, p[i] == 0x20 || p[i] == 0x0A || p[i] == 0x0D || p[i] == 0x09 { i += 1 }
        return i
    }

    /// Reads a flat JSON object: the configured fields are decoded, the others skipped.
    /// `readable` bytes at `p` may be read: `n`, or more when `parse` copied the message with
    /// zeros after it (`EventDecoder.paddedLimit`), which lets whole-word readers run to its end.
    mutating func decodeJSON(_ p: UnsafePointer<UInt8>, _ n: Int, readable: Int, _ fields: inout Fields,
                             _ event: inout DecodedEvent) throws(DecodeError) {
        var i = skipSpace(p, n, 0)
        guard i < n, p[i] == UInt8(ascii: "{") else { throw malformed(i, "expected '{' to open the event object") }
        i = skipSpace(p, n, i + 1)
        if i < n, p[i] == UInt8(ascii: "}") {
            i += 1
        } else {
            // Closed for the rest of the event once a value is not in the lane's form (spaces
            // after colons, long numbers): then every field would pay for a failed attempt.
            var laneOpen = true
            while true {
                if laneOpen { i = compactRun(p, readable, i, &fields, open: &laneOpen) }
                guard i < n, p[i] == Self.quote else { throw malformed(i, "expected a field name in double quotes") }
                let slot: Int?
                // The field after the last one found usually comes next: compare its key whole.
                let next = hint < keyWords.count ? hint : 0
                if i + 16 <= n, case let key = keyWords[next], key.length > 0, key.matches(p + i) {
                    slot = next
                    i = skipSpace(p, n, i + key.length)
                } else {
                    let (start, end, escaped) = try scanString(p, n, i)
                    if escaped {
                        try unescape(p, start, end)
                        let key = text
                        slot = key.withUnsafeBufferPointer { lookup($0.baseAddress!, $0.count) }
                    } else {
                        slot = lookup(p + start, end - start)
                    }
                    i = skipSpace(p, n, end + 1)
                }
                guard i < n, p[i] == UInt8(ascii: ":") else { throw malformed(i, "expected ':' after a field name") }
                i = skipSpace(p, n, i + 1)
                guard i < n else { throw malformed(i, "expected a value") }
                if let slot {
                    hint = slot + 1
                    // A plain number in a numeric field, read here without the general
                    // field reader (what it would do for this value, in fewer steps).
                    if case .numeric(let index) = roles[slot], let (length, value) = NumberParser.fastPrefix(p + i, n - i, readable: readable - i),
                       i + length == n || !Self.isNumberByte(p[i + length]), abs(value) <= maxAbsValue {
                        fields.values[index] = value
                        markSeen(slot, &fields)
                        i += length
                    } else {
                        i = try readField(slot, p, n, readable, i, &fields, &event)
                    }
                } else {
                    i = try skipValue(p, n, i)
                }
                i = skipSpace(p, n, i)
                guard i < n else { throw malformed(i, "unterminated object: expected ',' or '}'") }
                if p[i] == UInt8(ascii: ",") {
                    i = skipSpace(p, n, i + 1)
                    continue
                }
                guard p[i] == UInt8(ascii: "}") else { throw malformed(i, "expected ',' or '}'") }
                i += 1
                break
            }
        }
        i = skipSpace(p, n, i)
        guard i == n else { throw malformed(i, "unexpected bytes after the event object") }
    }

    /// The compact lane: from the key at `i`, reads the fields that compact JSON writes as
    /// `"name":number,` in the configured order, with numbers `NumberParser.shortDecimal`
    /// reads, for as long as they come so; returns the offset of the first field it leaves to
    /// the general reader (at its opening quote). A field is checked whole before anything of
    /// it is kept, so the general reader goes on exactly as if it had read those fields itself.
    ///
    /// The values' limit is checked once at the end, so that no step waits for a division:
    /// when a value is beyond it, the lane keeps nothing and the general reader reads (and
    /// refuses) those fields itself. `open` becomes false when the lane stopped at a value it
    /// does not read, rather than at a key (an unknown field, or one out of order or of another
    /// role).
    ///
    /// `readable` bytes at `p` may be read: the message, plus the zeros after it when `parse`
    /// copied it into its padded buffer. Neither a key nor a number matches zeros, and a field
    /// is kept only with its comma found, so the lane never keeps a field past the message's end.
    @inline(__always)
    private mutating func compactRun(_ p: UnsafePointer<UInt8>, _ readable: Int, _ i: Int, _ fields: inout Fields,
                                     open: inout Bool) -> Int {
        var end = i
        let keys = compactKeys, indices = compactIndex
        var slot = hint < keys.count ? hint : 0
        var seen = fields.seen
        var largest = 0.0
        keys.withUnsafeBufferPointer { keys in
            indices.withUnsafeBufferPointer { indices in
                // 16 bytes of key, then the 17 bytes `shortDecimal` reads: all within the message.
                while end + 33 <= readable && slot < 64 {
                    let key = keys[slot], index = indices[slot]
                    guard index >= 0, key.matches(p + end) else { return }
                    let start = end &+ key.length
                    guard let (length, value) = NumberParser.shortDecimal(p + start, followedBy: UInt8(ascii: ",")) else {
                        open = false
                        return
                    }
                    fields.values[index] = value
                    largest = abs(value) > largest ? abs(value) : largest
                    seen |= 1 &<< UInt64(slot)
                    end = start &+ length &+ 1
                    slot = slot &+ 1 == keys.count ? 0 : slot &+ 1
                }
            }
        }
        guard largest <= maxAbsValue else { return i }
        fields.seen = seen
        hint = slot
        return end
    }

    /// Decodes the value at `i` into field `slot`; returns the offset after it. `readable` is
    /// as in `decodeJSON`.
    private mutating func readField(_ slot: Int, _ p: UnsafePointer<UInt8>, _ n: Int, _ readable: Int, _ i: Int,
                                    _ fields: inout Fields, _ event: inout DecodedEvent) throws(DecodeError) -> Int {
        let c = p[i]
        switch roles[slot] {
        case .numeric(let index):
            // A digit or '-' can only start a number: go straight to it.
            if c &- 0x30 >= 10 && c != UInt8(ascii: "-") {
                if c == Self.quote || c == UInt8(ascii: "[") || c == UInt8(ascii: "{") || c == UInt8(ascii: "t") || c == UInt8(ascii: "f") {
                    throw .wrongType(field: fieldNames[slot], expected: "a number", found: try found(p, n, i))
                }
                if literal(p, n, i, "null") { throw .missingFeature(fieldNames[slot]) }
            }
            let (end, value) = try scanNumber(p, n, i, readable: readable)
            try setNumeric(slot, index, value, &fields)
            markSeen(slot, &fields)
            return end
        case .vector:
            if literal(p, n, i, "null") { throw .missingFeature(fieldNames[slot]) }
            guard c == UInt8(ascii: "[") else {
                throw .wrongType(field: fieldNames[slot], expected: "an array of numbers", found: try found(p, n, i))
            }
            var j = skipSpace(p, n, i + 1)
            var count = 0
            if j < n, p[j] == UInt8(ascii: "]") { j += 1 } else {
                while true {
                    guard j < n else { throw malformed(j, "unterminated array") }
                    let e = p[j]
                    if e == Self.quote || e == UInt8(ascii: "[") || e == UInt8(ascii: "{") || e == UInt8(ascii: "t")
                        || e == UInt8(ascii: "f") || e == UInt8(ascii: "n") {
                        throw .wrongType(field: fieldNames[slot], expected: "an array of numbers", found: try found(p, n, j))
                    }
                    let (end, value) = try scanNumber(p, n, j)
                    try checkRange(value, field: "\(fieldNames[slot])[\(count)]")
                    if count < vectorSize { event.features.values[numericCount + count] = value }
                    count += 1
                    j = skipSpace(p, n, end)
                    guard j < n else { throw malformed(j, "unterminated array") }
                    if p[j] == UInt8(ascii: ",") {
                        j = skipSpace(p, n, j + 1)
                        continue
                    }
                    guard p[j] == UInt8(ascii: "]") else { throw malformed(j, "expected ',' or ']' in an array") }
                    j += 1
                    break
                }
            }
            guard count == vectorSize else { throw .vectorLength(field: fieldNames[slot], count: count, expected: vectorSize) }
            markSeen(slot, &fields)
            return j
        case .categorical(let j):
            if c == Self.quote {
                let (start, end, escaped) = try scanString(p, n, i)
                if escaped {
                    try unescape(p, start, end)
                    let value = text
                    value.withUnsafeBufferPointer { addCategory(j, $0.baseAddress!, $0.count, &event) }
                } else {
                    addCategory(j, p + start, end - start, &event)
                }
                markSeen(slot, &fields)
                return end + 1
            }
            if literal(p, n, i, "null") { return i + 4 }
            for word: StaticString in ["true", "false"] where literal(p, n, i, word) {
                addCategory(j, p + i, word.utf8CodeUnitCount, &event)
                markSeen(slot, &fields)
                return i + word.utf8CodeUnitCount
            }
            if c == UInt8(ascii: "[") || c == UInt8(ascii: "{") {
                throw .wrongType(field: fieldNames[slot], expected: "a string, number or boolean", found: try found(p, n, i))
            }
            let (end, _) = try scanNumber(p, n, i)
            addCategory(j, p + i, end - i, &event)
            markSeen(slot, &fields)
            return end
        case .label:
            let end: Int
            if c == Self.quote {
                let (start, close, escaped) = try scanString(p, n, i)
                if escaped {
                    try unescape(p, start, close)
                    let value = text
                    event.label = try value.withUnsafeBufferPointer { (b) throws(DecodeError) -> Double in
                        try resolveLabel(.text(b.baseAddress!, b.count))
                    }
                } else {
                    event.label = try resolveLabel(.text(p + start, close - start))
                }
                end = close + 1
            } else if literal(p, n, i, "null") {
                throw .missingLabel(field: labelField)
            } else if literal(p, n, i, "true") || literal(p, n, i, "false") {
                let value = p[i] == UInt8(ascii: "t")
                event.label = try resolveLabel(.bool(value))
                end = i + (value ? 4 : 5)
            } else if c == UInt8(ascii: "[") || c == UInt8(ascii: "{") {
                throw .wrongType(field: labelField, expected: "a label value", found: try found(p, n, i))
            } else {
                let (close, value) = try scanNumber(p, n, i, readable: readable)
                event.label = try resolveLabel(.number(value, p + i, close - i))
                end = close
            }
            markSeen(slot, &fields)
            return end
        }
    }

    /// A short description of the value at `i`, for type errors.
    private func found(_ p: UnsafePointer<UInt8>, _ n: Int, _ i: Int) throws(DecodeError) -> String {
        switch p[i] {
        case Self.quote:
            let (start, end, _) = try scanString(p, n, i)
            return "the string \"\(Self.excerpt(p + start, end - start))\""
        case UInt8(ascii: "["): return "an array"
        case UInt8(ascii: "{"): return "an object"
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return "a boolean"
        case UInt8(ascii: "n"): return "null"
        default: return "a number"
        }
    }

    @inline(__always)
    private func literal(_ p: UnsafePointer<UInt8>, _ n: Int, _ i: Int, _ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard i + count <= n else { return false }
        let w = word.utf8Start
        for k in 0..<count where p[i + k] != w[k] { return false }
        return true
    }

    /// A number token (JSON numbers, plus Python's NaN, Infinity and -Infinity): its end and value.
    @inline(__always)
    private mutating func scanNumber(_ p: UnsafePointer<UInt8>, _ n: Int, _ i: Int, readable: Int? = nil) throws(DecodeError) -> (Int, Double) {
        if let (length, value) = NumberParser.fastPrefix(p + i, n - i, readable: (readable ?? n) - i) {
            let end = i + length
            if end == n || !Self.isNumberByte(p[end]) { return (end, value) }
        }
        if literal(p, n, i, "NaN") { return (i + 3, .nan) }
        if literal(p, n, i, "Infinity") { return (i + 8, .infinity) }
        if literal(p, n, i, "-Infinity") { return (i + 9, -.infinity) }
        var j = i
        while j < n, Self.isNumberByte(p[j]) { j += 1 }
        guard j > i else {
            if p[i] == Self.quote { throw malformed(i, "unexpected string") }
            throw malformed(i, "unexpected character '\(Self.excerpt(p + i, 1))'")
        }
        guard let value = numbers.parse(p + i, j - i) else {
            throw malformed(i, "'\(Self.excerpt(p + i, j - i))' is not a number")
        }
        return (j, value)
    }

    @inline(__always)
    private static func isNumberByte(_ c: UInt8) -> Bool {
        c &- 0x30 < 10 || c == UInt8(ascii: "-") || c == UInt8(ascii: ".") || c == UInt8(ascii: "+") || c | 0x20 == UInt8(ascii: "e")
    }

    /// The string whose opening quote is at `i`: its content range and whether it has escapes.
    @inline(__always)
    private func scanString(_ p: UnsafePointer<UInt8>, _ n: Int, _ i: Int) throws(DecodeError) -> (start: Int, end: Int, escaped: Bool) {
        var j = i + 1
        var escaped = false
        while j < n {
            let c = p[j]
            if c == Self.quote { return (i + 1, j, escaped) }
            if c == Self.backslash {
                escaped = true
                guard j + 1 < n else { break }
                switch p[j + 1] {
                case Self.quote, Self.backslash, UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                     UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    j += 2
                case UInt8(ascii: "u"):
                    guard j + 5 < n, (2...5).allSatisfy({ Self.hex(p[j + $0]) != nil }) else {
                        throw malformed(j, "bad \\u escape")
                    }
                    j += 6
                default:
                    throw malformed(j, "bad escape '\\\(Self.excerpt(p + j + 1, 1))'")
                }
                continue
            }
            if c < 0x20 { throw malformed(j, "control character in a string") }
            j += 1
        }
        throw malformed(i, "unterminated string")
    }

    private static func hex(_ c: UInt8) -> UInt32? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(c - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(c - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(c - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    /// Writes the unescaped UTF-8 of the string content `p[start..<end]` into `text`.
    private mutating func unescape(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) throws(DecodeError) {
        text.removeAll(keepingCapacity: true)
        var j = start
        while j < end {
            let c = p[j]
            guard c == Self.backslash else {
                text.append(c)
                j += 1
                continue
            }
            let e = p[j + 1]
            j += 2
            switch e {
            case UInt8(ascii: "b"): text.append(0x08)
            case UInt8(ascii: "f"): text.append(0x0C)
            case UInt8(ascii: "n"): text.append(0x0A)
            case UInt8(ascii: "r"): text.append(0x0D)
            case UInt8(ascii: "t"): text.append(0x09)
            case UInt8(ascii: "u"):
                var code = (0..<4).reduce(UInt32(0)) { $0 << 4 | Self.hex(p[j + $1])! }
                j += 4
                if (0xD800..<0xDC00).contains(code), j + 5 < end, p[j] == Self.backslash, p[j + 1] == UInt8(ascii: "u") {
                    let low = (2..<6).reduce(UInt32(0)) { $0 << 4 | Self.hex(p[j + $1])! }
                    if (0xDC00..<0xE000).contains(low) {
                        code = 0x10000 + (code - 0xD800) << 10 + (low - 0xDC00)
                        j += 6
                    }
                }
                let scalar = Unicode.Scalar(code) ?? "\u{FFFD}"
                text.append(contentsOf: String(scalar).utf8)
            default: text.append(e)
            }
        }
    }

    /// Skips any JSON value at `i` (nested arrays and objects included); returns its end.
    private mutating func skipValue(_ p: UnsafePointer<UInt8>, _ n: Int, _ i: Int) throws(DecodeError) -> Int {
        let c = p[i]
        if c == Self.quote { return try scanString(p, n, i).end + 1 }
        if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") {
            var depth = 0
            var j = i
            while j < n {
                switch p[j] {
                case Self.quote:
                    j = try scanString(p, n, j).end + 1
                    continue
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 { return j + 1 }
                default: break
                }
                j += 1
            }
            throw malformed(i, "unterminated \(c == UInt8(ascii: "{") ? "object" : "array")")
        }
        for word: StaticString in ["true", "false", "null"] where literal(p, n, i, word) { return i + word.utf8CodeUnitCount }
        return try scanNumber(p, n, i).0
    }
}
