#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Parses number text exactly as `Double(String)` does, without building a String: decimals
/// whose digits make an integer of at most 2^53 with a power of ten within 22 take Clinger's
/// exact fast path; on x86-64, decimals of up to 19 digits with a power of ten within 27 (what Python and
/// Swift print for doubles) are computed in `Float80`, where both operands are exact and the
/// one rounding is correct, then rounded to `Double` unless that second rounding could differ
/// (the `Float80` result lying exactly halfway between two doubles). Everything else goes
/// through the C library's correctly rounded `strtod`, which is what `Double(String)` calls,
/// on a reused buffer.
struct NumberParser: Sendable {
    /// 10^e for 0 <= e <= 22, all exact doubles; a switch compiles to a constant table
    /// (no lazy global initialisation, no bounds check on the hot path).
    @inline(__always)
    private static func power(_ e: Int) -> Double {
        switch e {
        case 0: 1e0; case 1: 1e1; case 2: 1e2; case 3: 1e3; case 4: 1e4; case 5: 1e5; case 6: 1e6
        case 7: 1e7; case 8: 1e8; case 9: 1e9; case 10: 1e10; case 11: 1e11; case 12: 1e12
        case 13: 1e13; case 14: 1e14; case 15: 1e15; case 16: 1e16; case 17: 1e17; case 18: 1e18
        case 19: 1e19; case 20: 1e20; case 21: 1e21; default: 1e22
        }
    }
    #if arch(x86_64) && !os(Windows)
    /// 10^e for 0 <= e <= 27, all exact in `Float80` (5^27 < 2^64).
    @inline(__always)
    private static func widePower(_ e: Int) -> Float80 {
        switch e {
        case 0: 1e0; case 1: 1e1; case 2: 1e2; case 3: 1e3; case 4: 1e4; case 5: 1e5; case 6: 1e6
        case 7: 1e7; case 8: 1e8; case 9: 1e9; case 10: 1e10; case 11: 1e11; case 12: 1e12
        case 13: 1e13; case 14: 1e14; case 15: 1e15; case 16: 1e16; case 17: 1e17; case 18: 1e18
        case 19: 1e19; case 20: 1e20; case 21: 1e21; case 22: 1e22; case 23: 1e23; case 24: 1e24
        case 25: 1e25; case 26: 1e26; default: 1e27
        }
    }
    #endif
    private var buffer = [CChar](repeating: 0, count: 128)

    /// The value of `count` bytes at `p`, or nil when they are not entirely a number.
    mutating func parse(_ p: UnsafePointer<UInt8>, _ count: Int) -> Double? {
        if count == 0 { return nil }
        if let (length, value) = Self.fastPrefix(p, count), length == count { return value }
        let first = p[0]
        if first == 0x20 || first == 0x09 || first == 0x0A || first == 0x0D { return nil }
        if count >= buffer.count {
            return Double(String(decoding: UnsafeBufferPointer(start: p, count: count), as: UTF8.self))
        }
        return buffer.withUnsafeMutableBufferPointer { b -> Double? in
            let base = b.baseAddress!
            for k in 0..<count {
                if p[k] == 0 { return nil }
                base[k] = CChar(bitPattern: p[k])
            }
            base[count] = 0
            var end: UnsafeMutablePointer<CChar>? = nil
            let value = strtod(base, &end)
            guard let end, end - base == count else { return nil }
            return value
        }
    }

    /// 10^k for 0 <= k <= 8, as an integer.
    @inline(__always)
    private static func integerPower(_ k: Int) -> UInt64 {
        switch k {
        case 0: 1; case 1: 10; case 2: 100; case 3: 1000; case 4: 10_000; case 5: 100_000
        case 6: 1_000_000; case 7: 10_000_000; default: 100_000_000
        }
    }

    /// How many of the 8 bytes at `p` are ASCII digits before the first that is not (0...8),
    /// and the value of those digits, read at once (SWAR).
    @inline(__always)
    private static func leadingDigits(_ p: UnsafePointer<UInt8>) -> (count: Int, value: UInt64) {
        let v = UInt64(littleEndian: UnsafeRawPointer(p).loadUnaligned(as: UInt64.self))
        let nibbles: UInt64 = 0xF0F0_F0F0_F0F0_F0F0, threes: UInt64 = 0x3030_3030_3030_3030
        // A byte is a digit when its high nibble is 3 before and after adding 6. (A carry out of
        // a byte of 0xFA or more can only disturb the bytes after that non-digit.)
        let off = ((v & nibbles) ^ threes) | (((v &+ 0x0606_0606_0606_0606) & nibbles) ^ threes)
        let lows: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        let nonDigits = (((off & lows) &+ lows) | off) & 0x8080_8080_8080_8080
        let count = nonDigits.trailingZeroBitCount >> 3
        if count == 0 { return (0, 0) }
        // The first byte is the most significant digit: shifting the digits to the top leaves
        // zeros, that is leading zeros, below them.
        var d = (v & 0x0F0F_0F0F_0F0F_0F0F) << UInt64(64 - 8 * count)
        d = (d &* 2561) >> 8 & 0x00FF_00FF_00FF_00FF
        d = (d &* 6_553_601) >> 16 & 0x0000_FFFF_0000_FFFF
        return (count, (d &* 42_949_672_960_001) >> 32)
    }

    /// Reads the run of digits at `p[i..<count]` into `mantissa` (wrapping past 19 digits);
    /// returns the offset after it.
    @inline(__always)
    private static func readDigits(_ p: UnsafePointer<UInt8>, _ count: Int, _ i: Int, _ mantissa: inout UInt64) -> Int {
        var i = i
        while i + 8 <= count {
            let (k, value) = leadingDigits(p + i)
            mantissa = mantissa &* integerPower(k) &+ value
            i += k
            if k < 8 { return i }
        }
        while i < count, p[i] &- 0x30 < 10 {
            mantissa = mantissa &* 10 &+ UInt64(p[i] &- 0x30)
            i += 1
        }
        return i
    }

    /// The decimal number at the start of `p[0..<count]` and its length, when it is one the
    /// fast paths handle exactly; nil otherwise (then `parse` must be used on the whole token).
    @inline(__always)
    static func fastPrefix(_ p: UnsafePointer<UInt8>, _ count: Int) -> (length: Int, value: Double)? {
        fastPrefix(p, count, readable: count)
    }

    /// `fastPrefix(_:_:)` where `readable` bytes at `p` may be read, at least `count`; the
    /// bytes between `count` and `readable` must be zeros (the padding after a copied message),
    /// which no number continues into.
    @inline(__always)
    static func fastPrefix(_ p: UnsafePointer<UInt8>, _ count: Int, readable: Int) -> (length: Int, value: Double)? {
        if readable >= 17, let short = shortDecimal(p), short.length <= count { return short }
        return generalPrefix(p, count)
    }

    /// The commonest number in events, `[-]I.F` or `[-]I` with at most 7 digits on either side
    /// of the point, read from 16 bytes at once with few branches; nil for anything else
    /// (then `generalPrefix` decides). At least 17 bytes at `p` must be readable. Such a
    /// number has at most 14 digits, so one correctly rounded division gives it exactly.
    @inline(__always)
    static func shortDecimal(_ p: UnsafePointer<UInt8>) -> (length: Int, value: Double)? {
        guard let (length, value, next) = shortDecimalParts(p), !isNumberContinuation(next) else { return nil }
        return (length, value)
    }

    /// `shortDecimal` for a number that must be followed by `terminator` (a byte that cannot
    /// continue a number, such as the comma between compact JSON fields): nil otherwise.
    @inline(__always)
    static func shortDecimal(_ p: UnsafePointer<UInt8>, followedBy terminator: UInt8) -> (length: Int, value: Double)? {
        guard let (length, value, next) = shortDecimalParts(p), next == terminator else { return nil }
        return (length, value)
    }

    /// The short decimal at `p`: its length, its value and the byte after it (which the callers
    /// judge). An integer part of one digit, the commonest, is read without the 8-byte pass.
    @inline(__always)
    private static func shortDecimalParts(_ p: UnsafePointer<UInt8>) -> (length: Int, value: Double, next: UInt8)? {
        let sign = p[0] == UInt8(ascii: "-") ? 1 : 0
        let q = p + sign
        var integerDigits = 1, integer = UInt64(q[0] &- 0x30)
        if integer >= 10 || q[1] != UInt8(ascii: ".") {
            (integerDigits, integer) = leadingDigits(q)
            guard integerDigits > 0 && integerDigits < 8 else { return nil }
            // A lone "0" may lead, as JSON allows; "01" is no JSON number: the general path judges it.
            guard integerDigits == 1 || q[0] != 0x30 else { return nil }
        }
        let point = q[integerDigits]
        var length = integerDigits
        var mantissa = integer
        var scale = 0
        if point == UInt8(ascii: ".") {
            let (fractionDigits, fraction) = leadingDigits(q + integerDigits + 1)
            guard fractionDigits > 0 && fractionDigits < 8 else { return nil }
            mantissa = integer &* integerPower(fractionDigits) &+ fraction
            scale = fractionDigits
            length += 1 + fractionDigits
        }
        // Negating before dividing is exact, and division rounds symmetrically.
        let value = (sign == 0 ? Double(mantissa) : -Double(mantissa)) / power(scale)
        return (sign + length, value, q[length])
    }

    /// Whether `c` could continue a number (a digit, a point, an exponent or a sign).
    @inline(__always)
    private static func isNumberContinuation(_ c: UInt8) -> Bool {
        c &- 0x30 < 10 || c == UInt8(ascii: ".") || c | 0x20 == UInt8(ascii: "e") || c == UInt8(ascii: "-") || c == UInt8(ascii: "+")
    }

    /// `fastPrefix` for any decimal its exact paths cover.
    private static func generalPrefix(_ p: UnsafePointer<UInt8>, _ count: Int) -> (length: Int, value: Double)? {
        if count == 0 { return nil }
        var i = 0
        let negative = p[0] == UInt8(ascii: "-")
        if negative { i = 1 }
        // Digits accumulate without a per-digit check: the significant digits are counted from
        // positions afterwards, and more than 19 (when the wrapped mantissa is meaningless) is
        // refused.
        let integerStart = i
        while i < count, p[i] == 0x30 { i += 1 }
        var significantStart = i
        var mantissa: UInt64 = 0
        i = readDigits(p, count, i, &mantissa)
        if i == integerStart { return nil }
        var digits = i - significantStart
        var exponent = 0
        if i < count, p[i] == UInt8(ascii: ".") {
            i += 1
            let fractionStart = i
            if mantissa == 0 { while i < count, p[i] == 0x30 { i += 1 } }
            significantStart = i
            i = readDigits(p, count, i, &mantissa)
            if i == fractionStart { return nil }
            digits += i - significantStart
            exponent = fractionStart - i
        }
        if digits > 19 { return nil }
        if i < count, p[i] | 0x20 == UInt8(ascii: "e") {
            i += 1
            var negativeExponent = false
            if i < count, p[i] == UInt8(ascii: "-") || p[i] == UInt8(ascii: "+") {
                negativeExponent = p[i] == UInt8(ascii: "-")
                i += 1
            }
            var e = 0
            var expDigit = false
            while i < count, p[i] &- 0x30 < 10 {
                e = e * 10 + Int(p[i] &- 0x30)
                expDigit = true
                i += 1
                if e > 1000 { return nil }
            }
            if !expDigit { return nil }
            exponent += negativeExponent ? -e : e
        }
        if mantissa <= 1 << 53 && exponent >= -22 && exponent <= 22 {
            var value = Double(mantissa)
            if exponent < 0 { value /= power(-exponent) } else if exponent > 0 { value *= power(exponent) }
            return (i, negative ? -value : value)
        }
        #if arch(x86_64) && !os(Windows)
        if exponent >= -27 && exponent <= 27 {
            var wide = Float80(mantissa)
            if exponent < 0 { wide /= widePower(-exponent) } else if exponent > 0 { wide *= widePower(exponent) }
            // The 11 bits below a double's precision: exactly 0b100_0000_0000 is a tie that the
            // exact value may not be; leave those to strtod.
            if wide.significandBitPattern & 0x7FF == 0x400 { return nil }
            let value = Double(wide)
            return (i, negative ? -value : value)
        }
        #endif
        return nil
    }
}
