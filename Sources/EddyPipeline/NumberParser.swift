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
    private static let powers: [Double] = (0...22).map { e in
        var p = 1.0
        for _ in 0..<e { p *= 10 }
        return p
    }
    #if arch(x86_64) && !os(Windows)
    private static let widePowers: [Float80] = (0...27).map { e in
        var p: Float80 = 1
        for _ in 0..<e { p *= 10 }
        return p
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

    /// The decimal number at the start of `p[0..<count]` and its length, when it is one the
    /// fast paths handle exactly; nil otherwise (then `parse` must be used on the whole token).
    @inline(__always)
    static func fastPrefix(_ p: UnsafePointer<UInt8>, _ count: Int) -> (length: Int, value: Double)? {
        if count == 0 { return nil }
        var i = 0
        let negative = p[0] == UInt8(ascii: "-")
        if negative { i = 1 }
        var mantissa: UInt64 = 0
        var digits = 0
        var anyDigit = false
        var exponent = 0
        while i < count, p[i] &- 0x30 < 10 {
            if mantissa != 0 || p[i] != 0x30 { digits += 1 }
            mantissa = mantissa &* 10 &+ UInt64(p[i] &- 0x30)
            anyDigit = true
            i += 1
            if digits > 19 { return nil }
        }
        if i < count, p[i] == UInt8(ascii: ".") {
            i += 1
            var fractionDigit = false
            while i < count, p[i] &- 0x30 < 10 {
                if mantissa != 0 || p[i] != 0x30 { digits += 1 }
                mantissa = mantissa &* 10 &+ UInt64(p[i] &- 0x30)
                exponent -= 1
                fractionDigit = true
                i += 1
                if digits > 19 { return nil }
            }
            if !fractionDigit { return nil }
        }
        if !anyDigit { return nil }
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
            if exponent < 0 { value /= powers[-exponent] } else if exponent > 0 { value *= powers[exponent] }
            return (i, negative ? -value : value)
        }
        #if arch(x86_64) && !os(Windows)
        if exponent >= -27 && exponent <= 27 {
            var wide = Float80(mantissa)
            if exponent < 0 { wide /= widePowers[-exponent] } else if exponent > 0 { wide *= widePowers[exponent] }
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
