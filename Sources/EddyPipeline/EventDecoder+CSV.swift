extension EventDecoder {
    private func malformed(_ offset: Int, _ reason: String) -> DecodeError {
        .malformed(format: "CSV", offset: offset, reason: reason)
    }

    /// Reads one CSV line (a trailing newline is ignored; fields may be double-quoted with
    /// `""` for a quote). Numeric fields may carry surrounding spaces.
    mutating func decodeCSV(_ p: UnsafePointer<UInt8>, _ n: Int, _ fields: inout Fields, _ event: inout DecodedEvent) throws(DecodeError) {
        var end = n
        while end > 0, p[end - 1] == 0x0A || p[end - 1] == 0x0D { end -= 1 }
        let expected = columnRoles.count
        // First pass: count the columns, so a short or long line is reported as such.
        var columns = 0
        var i = 0
        while true {
            i = try fieldEnd(p, end, i).next
            columns += 1
            if i > end { break }
        }
        guard columns == expected else { throw .columnCount(found: columns, expected: expected) }
        i = 0
        for column in 0..<expected {
            let (start, stop, next, quoted) = try fieldEnd(p, end, i)
            i = next
            let slot = columnRoles[column]
            guard slot >= 0 else { continue }
            if quoted {
                text.removeAll(keepingCapacity: true)
                var k = start
                while k < stop {
                    text.append(p[k])
                    k += p[k] == UInt8(ascii: "\"") ? 2 : 1
                }
                let value = text
                try value.withUnsafeBufferPointer { (b) throws(DecodeError) in
                    try readCSVField(slot, b.baseAddress ?? p, b.count, &fields, &event)
                }
            } else {
                try readCSVField(slot, p + start, stop - start, &fields, &event)
            }
        }
    }

    /// The field starting at `i`: content range, the offset after its delimiter (past `end`
    /// for the last field) and whether it was quoted.
    private func fieldEnd(_ p: UnsafePointer<UInt8>, _ end: Int, _ i: Int) throws(DecodeError) -> (start: Int, stop: Int, next: Int, quoted: Bool) {
        if i < end, p[i] == UInt8(ascii: "\"") {
            var j = i + 1
            while j < end {
                if p[j] == UInt8(ascii: "\"") {
                    if j + 1 < end, p[j + 1] == UInt8(ascii: "\"") {
                        j += 2
                        continue
                    }
                    guard j + 1 == end || p[j + 1] == delimiter else { throw malformed(j + 1, "expected a delimiter after a quoted field") }
                    return (i + 1, j, j + 2, true)
                }
                j += 1
            }
            throw malformed(i, "unterminated quoted field")
        }
        var j = i
        while j < end, p[j] != delimiter { j += 1 }
        return (i, j, j + 1, false)
    }

    private mutating func readCSVField(_ slot: Int, _ p: UnsafePointer<UInt8>, _ count: Int, _ fields: inout Fields,
                                       _ event: inout DecodedEvent) throws(DecodeError) {
        var start = 0, stop = count
        while start < stop, p[start] == 0x20 || p[start] == 0x09 { start += 1 }
        while stop > start, p[stop - 1] == 0x20 || p[stop - 1] == 0x09 { stop -= 1 }
        switch roles[slot] {
        case .numeric(let index):
            guard stop > start else { throw .missingFeature(fieldNames[slot]) }
            guard let value = numbers.parse(p + start, stop - start) else {
                throw .wrongType(field: fieldNames[slot], expected: "a number", found: "'\(Self.excerpt(p + start, stop - start))'")
            }
            try setNumeric(slot, index, value, &fields)
        case .categorical(let j):
            guard count > 0 else { return }
            addCategory(j, p, count, &event)
        case .label:
            guard stop > start else { throw .missingLabel(field: labelField) }
            if let value = numbers.parse(p + start, stop - start) {
                event.label = try resolveLabel(.number(value, p + start, stop - start))
            } else {
                event.label = try resolveLabel(.text(p + start, stop - start))
            }
        case .vector:
            break
        }
        markSeen(slot, &fields)
    }
}
