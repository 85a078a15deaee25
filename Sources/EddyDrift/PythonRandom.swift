import EddyCodec
import Foundation

/// Python's `random.Random`: the Mersenne Twister (MT19937) with CPython's integer seeding
/// (`init_by_array` over the seed's 32-bit words) and CPython's `random()`, `getrandbits`,
/// `randint`, `uniform` and `sample`. The same seed gives the same numbers as
/// `random.Random(seed)` in CPython, so KSWIN and the stream generators match River exactly.
///
/// ```swift
/// var rng = PythonRandom(seed: 42)
/// rng.random()          // 0.6394267984578837, as random.Random(42).random()
/// rng.randint(0, 2)     // as random.Random(42).randint(0, 2) after one random()
/// ```
public struct PythonRandom: Sendable, Equatable {
    private static let n = 624
    private static let m = 397
    private var state: [UInt32]
    private var index: Int

    /// Seeds like `random.Random(seed)`: the absolute value's 32-bit words, least significant first.
    public init(seed: Int) {
        var magnitude = seed.magnitude
        var key: [UInt32] = []
        repeat {
            key.append(UInt32(truncatingIfNeeded: magnitude))
            magnitude >>= 32
        } while magnitude > 0
        state = [UInt32](repeating: 0, count: Self.n)
        index = Self.n
        seedByArray(key)
    }

    /// Seeds from the system's entropy (River's `seed=None`).
    public init() {
        self.init(seed: Int.random(in: 0...Int.max))
    }

    private mutating func seedByArray(_ key: [UInt32]) {
        state[0] = 19_650_218
        for i in 1..<Self.n {
            let previous = state[i - 1]
            state[i] = 1_812_433_253 &* (previous ^ (previous >> 30)) &+ UInt32(i)
        }
        var i = 1
        var j = 0
        for _ in 0..<max(Self.n, key.count) {
            let previous = state[i - 1]
            state[i] = (state[i] ^ ((previous ^ (previous >> 30)) &* 1_664_525)) &+ key[j] &+ UInt32(j)
            i += 1
            j += 1
            if i >= Self.n { state[0] = state[Self.n - 1]; i = 1 }
            if j >= key.count { j = 0 }
        }
        for _ in 0..<(Self.n - 1) {
            let previous = state[i - 1]
            state[i] = (state[i] ^ ((previous ^ (previous >> 30)) &* 1_566_083_941)) &- UInt32(i)
            i += 1
            if i >= Self.n { state[0] = state[Self.n - 1]; i = 1 }
        }
        state[0] = 0x8000_0000
        index = Self.n
    }

    private mutating func twist() {
        for k in 0..<Self.n {
            let y = (state[k] & 0x8000_0000) | (state[(k + 1) % Self.n] & 0x7fff_ffff)
            var next = state[(k + Self.m) % Self.n] ^ (y >> 1)
            if y & 1 != 0 { next ^= 0x9908_b0df }
            state[k] = next
        }
        index = 0
    }

    /// The next raw 32-bit output (`genrand_uint32`).
    @inlinable
    public mutating func nextUInt32() -> UInt32 { nextWord() }

    @usableFromInline
    mutating func nextWord() -> UInt32 {
        if index >= Self.n { twist() }
        var y = state[index]
        index += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9d2c_5680
        y ^= (y << 15) & 0xefc6_0000
        y ^= y >> 18
        return y
    }

    /// A double in [0, 1) with 53 random bits, as `random.random()`.
    public mutating func random() -> Double {
        let a = Double(nextWord() >> 5)
        let b = Double(nextWord() >> 6)
        return (a * 67_108_864.0 + b) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// `random.getrandbits(k)` for 0 ≤ k ≤ 32.
    public mutating func getrandbits(_ k: Int) -> UInt32 {
        precondition((0...32).contains(k), "getrandbits supports 0...32 bits")
        return k == 0 ? 0 : nextWord() >> UInt32(32 - k)
    }

    /// A uniform integer in 0 ..< n by rejection, as CPython's `_randbelow_with_getrandbits`.
    public mutating func randbelow(_ n: Int) -> Int {
        precondition(n > 0 && n <= Int(UInt32.max), "randbelow needs 0 < n < 2^32")
        let bits = Int.bitWidth - n.leadingZeroBitCount
        var r = Int(getrandbits(bits))
        while r >= n { r = Int(getrandbits(bits)) }
        return r
    }

    /// A uniform integer in a ... b, both included, as `random.randint(a, b)`.
    public mutating func randint(_ a: Int, _ b: Int) -> Int { a + randbelow(b - a + 1) }

    /// `a + (b - a) * random()`, as `random.uniform(a, b)`.
    public mutating func uniform(_ a: Double, _ b: Double) -> Double { a + (b - a) * random() }

    /// `random.sample(range(population), k)`, written into `result` (resized to `k`).
    /// `pool` is scratch space reused across calls so the hot path does not allocate.
    public mutating func sample(range population: Int, count k: Int, into result: inout [Int], pool: inout [Int]) {
        precondition(k >= 0 && k <= population, "sample larger than population or is negative")
        if result.count != k { result = [Int](repeating: 0, count: k) }
        var setSize = 21
        if k > 5 {
            var power = 1
            var exponent = 0
            // ceil(log(3k, 4)), computed like CPython from floating point log
            let target = (log(Double(k * 3)) / log(4.0)).rounded(.up)
            while Double(exponent) < target { power *= 4; exponent += 1 }
            setSize += power
        }
        if population <= setSize {
            if pool.count != population { pool = [Int](repeating: 0, count: population) }
            for i in 0..<population { pool[i] = i }
            for i in 0..<k {
                let j = randbelow(population - i)
                result[i] = pool[j]
                pool[j] = pool[population - i - 1]
            }
        } else {
            for i in 0..<k {
                var j = randbelow(population)
                while result[0..<i].contains(j) { j = randbelow(population) }
                result[i] = j
            }
        }
    }

    /// Appends the generator's full state (624 words and position) to a state blob.
    public func write(to writer: inout StateWriter) {
        writer.write(state.map { Int($0) })
        writer.write(index)
    }

    /// Reads a state written by `write(to:)`.
    public init(from reader: inout StateReader) throws(StateError) {
        let words = try reader.readInts()
        let index = try reader.readInt()
        guard words.count == Self.n, words.allSatisfy({ (0...Int(UInt32.max)).contains($0) }),
              (0...Self.n).contains(index) else {
            throw .invalid("Mersenne Twister state needs \(Self.n) 32-bit words and a position in 0...\(Self.n)")
        }
        self.state = words.map { UInt32($0) }
        self.index = index
    }
}
