import EddyCodec
import EddyFeatures

/// Turns one message's bytes into features and a label, as the pipeline's `features` and
/// `format` sections say. JSON events are read by a hand-written scanner for flat objects
/// (unknown fields, nested objects included, are skipped); CSV events are one line with the
/// configured columns. Nothing is allocated per event when a `DecodedEvent` is reused.
///
/// Layout of the feature vector, for `n` numeric fields and a vector field of `m` numbers:
/// positions `0..<n` hold the numeric fields in the order listed, `n..<n+m` the vector field,
/// and each categorical field `name` with value `v` sets position `n + m + bucket` to 1, where
/// `bucket` is `FeatureHasher(bits: hash_bits, seed: hash_seed).bucket(of: .categorical(name, v))`
/// (values that collide add up). Without categorical fields the vector is dense; with them it
/// is sparse over the whole width (the dense block as indices `0..<n+m`, then the buckets in
/// ascending order). A categorical field that is absent or null adds nothing; a number or a
/// boolean in it hashes as its JSON text.
///
/// With `scale: standard`, positions `0..<n` are standard-scaled in River's prequential order:
/// `decode` scales with the statistics before this event (for predicting); after predicting,
/// `learnScaling(_:)` adds the event to the statistics and rescales it (for learning).
///
/// ```swift
/// var decoder = spec.makeDecoder()
/// var event = DecodedEvent()
/// try decoder.decode(bytes, into: &event)     // throws DecodeError: bad input, not learned
/// model.predict(event.features, into: &proba)
/// decoder.learnScaling(&event)
/// model.learn(event.features, label: event.label)
/// ```
public struct EventDecoder: Sendable {
    /// What a field is to the decoder.
    enum Role: Sendable, Equatable {
        case numeric(Int), vector, categorical(Int), label
    }

    enum LabelRule: Sendable {
        case regression
        case binaryFlags
        case classes
    }

    /// The running scaler of the numeric fields when `scale: standard` (persist it with the model).
    public var scaler: StandardScaler?

    /// Whether the scaler's statistics are finite numbers (huge inputs can overflow them).
    public var hasFiniteState: Bool {
        guard let scaler else { return true }
        return scaler.means.allSatisfy(\.isFinite) && scaler.variances.allSatisfy(\.isFinite)
    }
    let format: PipelineSpec.Format
    let fieldNames: [String]
    let fieldBytes: [[UInt8]]
    /// A 1024-bit filter of the fields' `keySignature`s: a key whose bit is clear is no field,
    /// so the unknown fields of an event cost one check instead of a scan of every name.
    let keyFilter: [UInt64]
    /// Each field's key as JSON writes it, for comparing whole words at once.
    let keyWords: [KeyWords]
    /// The compact lane's view of the fields (`EventDecoder.compactRun`): per field, its key
    /// with the colon that follows it in compact JSON, and the index of its numeric value
    /// (-1 for a field of another role).
    let compactKeys: [KeyWords]
    let compactIndex: [Int]
    let roles: [Role]
    let numericCount: Int
    let vectorSize: Int
    let hashed: Bool
    let hashMask: UInt32
    /// Murmur states after hashing `name=` of each categorical field.
    let prefixes: [MurmurHash3]
    let labelField: String
    let labelRule: LabelRule
    let classBytes: [[UInt8]]
    let classNumbers: [Double?]
    let classNames: [String]
    let maxMessageBytes: Int
    /// The largest magnitude a numeric value may have (the largest finite Double when unlimited).
    let maxAbsValue: Double
    /// For CSV: the role index of each column, or -1 for an ignored column.
    let columnRoles: [Int]
    let delimiter: UInt8

    /// The non-categorical fields among the first 64, as bits: those an event must have.
    let requiredBits: UInt64
    var numbers = NumberParser()
    /// Fields seen in the current event, from the 65th field on (the first 64 are bits in `Fields`).
    var seenMore: [Bool]
    var text: [UInt8] = []
    /// The padded copy of the message being decoded (see `paddedLimit`).
    var padded: [UInt8] = []
    var hint = 0
    var scaled = FeatureVector(dense: [])

    public init(spec: PipelineSpec) {
        let f = spec.features
        var names: [String] = [], roles: [Role] = []
        for (i, name) in f.numeric.enumerated() { names.append(name); roles.append(.numeric(i)) }
        if let vector = f.vector { names.append(vector); roles.append(.vector) }
        for (j, name) in f.categorical.enumerated() { names.append(name); roles.append(.categorical(j)) }
        names.append(f.label); roles.append(.label)
        fieldNames = names
        fieldBytes = names.map { Array($0.utf8) }
        var filter = [UInt64](repeating: 0, count: 16)
        for bytes in fieldBytes {
            let s = bytes.withUnsafeBufferPointer { Self.keySignature($0.baseAddress ?? UnsafePointer(bitPattern: 1)!, $0.count) }
            filter[s >> 6] |= 1 << UInt64(s & 63)
        }
        keyFilter = filter
        keyWords = fieldBytes.map { KeyWords($0) }
        compactKeys = fieldBytes.map { KeyWords($0, colon: true) }
        compactIndex = zip(roles, compactKeys).map { role, key in
            if case .numeric(let index) = role, key.length > 0 { index } else { -1 }
        }
        self.roles = roles
        numericCount = f.numeric.count
        vectorSize = f.vector == nil ? 0 : f.vectorSize
        hashed = !f.categorical.isEmpty
        hashMask = UInt32((1 << f.hashBits) - 1)
        prefixes = f.categorical.map { name in
            var h = MurmurHash3(seed: f.hashSeed)
            h.combine(name)
            h.combine(UInt8(ascii: "="))
            return h
        }
        labelField = f.label
        switch spec.task {
        case .regression: labelRule = .regression
        case .binary where f.classes.isEmpty: labelRule = .binaryFlags
        default: labelRule = .classes
        }
        classNames = labelRule == .binaryFlags ? ["0", "1", "true", "false"] : f.classes
        classBytes = f.classes.map { Array($0.utf8) }
        classNumbers = f.classes.map { Double($0) }
        maxMessageBytes = spec.source.maxMessageBytes
        maxAbsValue = f.maxAbsValue ?? .greatestFiniteMagnitude
        format = spec.format
        if case .csv(let columns, let delimiter) = spec.format {
            columnRoles = columns.map { column in names.firstIndex(of: column) ?? -1 }
            self.delimiter = delimiter
        } else {
            columnRoles = []
            delimiter = UInt8(ascii: ",")
        }
        seenMore = [Bool](repeating: false, count: max(0, names.count - 64))
        var required: UInt64 = 0
        for (k, role) in roles.prefix(64).enumerated() {
            if case .categorical = role { continue }
            required |= 1 << UInt64(k)
        }
        requiredBits = required
        scaler = f.scale == .standard ? StandardScaler() : nil
    }

    /// The number of feature positions (the spec's `featureWidth`).
    public var width: Int { numericCount + vectorSize + (hashed ? Int(hashMask) + 1 : 0) }

    /// Decodes one message into `event`, reusing its storage: `parse` then `scaleForPredicting`.
    /// After a throw, `event` holds partial values: do not learn from it.
    public mutating func decode(_ bytes: UnsafeRawBufferPointer, into event: inout DecodedEvent) throws(DecodeError) {
        try parse(bytes, into: &event)
        scaleForPredicting(&event)
    }

    /// The stateless part of `decode`: reads the message into `event` with the numeric fields
    /// unscaled. It reads nothing the stream changes (the scaler is untouched), so a copy of
    /// the decoder can parse events ahead of the thread that predicts and learns, which then
    /// calls `scaleForPredicting(_:)` on each in order.
    public mutating func parse(_ bytes: UnsafeRawBufferPointer, into event: inout DecodedEvent) throws(DecodeError) {
        guard bytes.count <= maxMessageBytes else { throw .oversize(bytes: bytes.count, limit: maxMessageBytes) }
        let dense = numericCount + vectorSize
        if !event.numeric.indices.isEmpty { event.numeric.indices.removeAll(keepingCapacity: true) }
        if event.numeric.values.count != numericCount {
            event.numeric.values = [Double](repeating: 0, count: numericCount)
        }
        // Without hashed features, the last event's values stay when the layout is the same: a
        // decoded event rewrites every dense position (a missing numeric field or a short vector
        // is an error), so clearing and refilling them per event was work for nothing.
        if hashed || event.features.values.count != dense || !event.features.indices.isEmpty {
            event.features.indices.removeAll(keepingCapacity: true)
            event.features.values.removeAll(keepingCapacity: true)
            event.features.values.append(contentsOf: repeatElement(0, count: dense))
            if hashed { for k in 0..<dense { event.features.indices.append(Int32(k)) } }
        }
        for k in 0..<seenMore.count { seenMore[k] = false }
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count > 0 else {
            throw .malformed(format: isCSV ? "CSV" : "JSON", offset: 0, reason: "the message is empty")
        }
        // The numeric values are written through a pointer taken once per event (an array
        // subscript in `event` would check uniqueness on every write), then copied. The array
        // is moved out of `event` and back (swapped, not assigned: no retain or release, which
        // were four atomic operations per message on the parse thread).
        var numeric: [Double] = []
        swap(&numeric, &event.numeric.values)
        defer { swap(&numeric, &event.numeric.values) }
        let seenBits = try numeric.withUnsafeMutableBufferPointer { (values) throws(DecodeError) -> UInt64 in
            var fields = Fields(values: values)
            if isCSV {
                try decodeCSV(base, bytes.count, &fields, &event)
            } else if bytes.count <= Self.paddedLimit {
                try decodePadded(base, bytes.count, &fields, &event)
            } else {
                try decodeJSON(base, bytes.count, readable: bytes.count, &fields, &event)
            }
            return fields.seen
        }
        if seenBits & requiredBits != requiredBits || !seenMore.isEmpty {
            for (k, role) in roles.enumerated() where !(k < 64 ? seenBits & 1 << UInt64(k) != 0 : seenMore[k - 64]) {
                switch role {
                case .numeric, .vector: throw .missingFeature(fieldNames[k])
                case .label: throw .missingLabel(field: labelField)
                case .categorical: continue
                }
            }
        }
        event.features.values.withUnsafeMutableBufferPointer { values in
            for k in 0..<numericCount { values[k] = numeric[k] }
        }
    }

    /// Messages up to this size are decoded from a copy with `padding` zero bytes after it, so
    /// that the compact lane (which reads whole words) runs to the message's last field instead
    /// of leaving the last 33 bytes to the general reader. Copying also pulls a message that
    /// another thread received into this core's cache in one streaming pass.
    static let paddedLimit = 16_384
    static let padding = 48

    /// `decodeJSON` on a padded copy of the `n` bytes at `base`.
    @inline(__always)
    private mutating func decodePadded(_ base: UnsafePointer<UInt8>, _ n: Int, _ fields: inout Fields,
                                       _ event: inout DecodedEvent) throws(DecodeError) {
        var copy: [UInt8] = []
        swap(&copy, &padded)
        defer { swap(&copy, &padded) }
        if copy.count < n + Self.padding { copy = [UInt8](repeating: 0, count: max(n + Self.padding, 1_024)) }
        try copy.withUnsafeMutableBufferPointer { (buffer) throws(DecodeError) in
            let p = buffer.baseAddress!
            p.update(from: base, count: n)
            (p + n).update(repeating: 0, count: Self.padding)
            try decodeJSON(p, n, readable: n + Self.padding, &fields, &event)
        }
    }

    /// Scales a parsed event's numeric fields with the statistics before it (for predicting).
    /// Does nothing without `scale: standard`.
    public mutating func scaleForPredicting(_ event: inout DecodedEvent) {
        guard let scaler else { return }
        scaler.transform(event.numeric, into: &scaled)
        for k in 0..<numericCount { event.features.values[k] = scaled.values[k] }
    }

    /// Decodes one message.
    public mutating func decode(_ bytes: UnsafeRawBufferPointer) -> Result<DecodedEvent, DecodeError> {
        var event = DecodedEvent()
        do throws(DecodeError) {
            try decode(bytes, into: &event)
            return .success(event)
        } catch {
            return .failure(error)
        }
    }

    /// Decodes one message held in an array.
    public mutating func decode(_ bytes: [UInt8]) -> Result<DecodedEvent, DecodeError> {
        bytes.withUnsafeBytes { decode($0) }
    }

    /// After predicting on `event`: adds its numeric values to the scaler's statistics and
    /// rescales them for learning. Does nothing without `scale: standard`.
    public mutating func learnScaling(_ event: inout DecodedEvent) {
        guard scaler != nil else { return }
        scaler!.learn(event.numeric)
        scaler!.transform(event.numeric, into: &scaled)
        for k in 0..<numericCount { event.features.values[k] = scaled.values[k] }
    }

    /// The decoder's learned state (the scaler's statistics) as a blob; empty without scaling.
    public func stateBlob() -> [UInt8] { scaler?.stateBlob() ?? [] }

    /// Restores what `stateBlob()` wrote.
    public mutating func restoreState(_ blob: [UInt8]) throws(StateError) {
        guard scaler != nil else {
            if !blob.isEmpty { throw .invalid("this pipeline does not scale, but the decoder state holds a scaler") }
            return
        }
        let restored = try StandardScaler(stateBlob: blob)
        guard restored.counts.count <= numericCount else { throw .invalid("scaler has \(restored.counts.count) features, the pipeline \(numericCount)") }
        scaler = restored
    }

    private var isCSV: Bool {
        if case .csv = format { return true }
        return false
    }

    // MARK: Values shared by both formats

    /// Where one event's numeric values go, and which fields it had.
    struct Fields {
        let values: UnsafeMutableBufferPointer<Double>
        /// Bit k: field k (k < 64) was seen.
        var seen: UInt64 = 0
    }

    @inline(__always)
    mutating func markSeen(_ slot: Int, _ fields: inout Fields) {
        if slot < 64 { fields.seen |= 1 << UInt64(slot) } else { seenMore[slot - 64] = true }
    }

    @inline(__always)
    func setNumeric(_ slot: Int, _ index: Int, _ value: Double, _ fields: inout Fields) throws(DecodeError) {
        try checkRange(value, field: fieldNames[slot])
        fields.values[index] = value
    }

    /// Refuses NaN, infinities and values beyond `maxAbsValue` (one comparison when all is well).
    @inline(__always)
    func checkRange(_ value: Double, field: @autoclosure () -> String) throws(DecodeError) {
        guard abs(value) <= maxAbsValue else {
            throw value.isFinite ? .outOfRange(field: field(), value: value, limit: maxAbsValue) : .nonFinite(field: field(), value: value)
        }
    }

    /// Adds the bucket of categorical `j` with the value bytes `p[0..<count]`.
    @inline(__always)
    mutating func addCategory(_ j: Int, _ p: UnsafePointer<UInt8>, _ count: Int, _ event: inout DecodedEvent) {
        var h = prefixes[j]
        for k in 0..<count { h.combine(p[k]) }
        let position = Int32(truncatingIfNeeded: numericCount + vectorSize) + Int32(truncatingIfNeeded: h.finalize() & hashMask)
        let dense = numericCount + vectorSize
        var k = event.features.indices.count
        while k > dense && event.features.indices[k - 1] > position { k -= 1 }
        if k > dense && event.features.indices[k - 1] == position {
            event.features.values[k - 1] += 1
        } else {
            event.features.indices.insert(position, at: k)
            event.features.values.insert(1, at: k)
        }
    }

    enum LabelToken {
        case text(UnsafePointer<UInt8>, Int)
        case number(Double, UnsafePointer<UInt8>, Int)
        case bool(Bool)
    }

    static func excerpt(_ p: UnsafePointer<UInt8>, _ count: Int) -> String {
        let shown = String(decoding: UnsafeBufferPointer(start: p, count: min(count, 64)), as: UTF8.self)
        return count > 64 ? shown + "..." : shown
    }

    static func equal(_ p: UnsafePointer<UInt8>, _ count: Int, _ bytes: [UInt8]) -> Bool {
        guard bytes.count == count else { return false }
        for k in 0..<count where bytes[k] != p[k] { return false }
        return true
    }

    func resolveLabel(_ token: LabelToken) throws(DecodeError) -> Double {
        switch labelRule {
        case .regression:
            switch token {
            case .number(let value, _, _):
                guard value.isFinite else { throw .nonFinite(field: labelField, value: value) }
                return value
            case .text(let p, let count): throw .labelNotANumber(label: Self.excerpt(p, count))
            case .bool(let b): throw .labelNotANumber(label: b ? "true" : "false")
            }
        case .binaryFlags:
            switch token {
            case .bool(let b): return b ? 1 : 0
            case .number(let value, let p, let count):
                if value == 0 || value == 1 { return value }
                throw .labelNotInClasses(label: Self.excerpt(p, count), classes: classNames)
            case .text(let p, let count):
                if Self.equal(p, count, [0x30]) || Self.equal(p, count, Array("false".utf8)) { return 0 }
                if Self.equal(p, count, [0x31]) || Self.equal(p, count, Array("true".utf8)) { return 1 }
                throw .labelNotInClasses(label: Self.excerpt(p, count), classes: classNames)
            }
        case .classes:
            switch token {
            case .bool(let b):
                let bytes = Array((b ? "true" : "false").utf8)
                if let k = classBytes.firstIndex(of: bytes) { return Double(k) }
                throw .labelNotInClasses(label: b ? "true" : "false", classes: classNames)
            case .text(let p, let count):
                for k in 0..<classBytes.count where Self.equal(p, count, classBytes[k]) { return Double(k) }
                throw .labelNotInClasses(label: Self.excerpt(p, count), classes: classNames)
            case .number(let value, let p, let count):
                for k in 0..<classBytes.count where Self.equal(p, count, classBytes[k]) { return Double(k) }
                for k in 0..<classNumbers.count where classNumbers[k] == value { return Double(k) }
                throw .labelNotInClasses(label: Self.excerpt(p, count), classes: classNames)
            }
        }
    }

    /// The field index of a key, trying the field after the last match first (events
    /// usually list fields in the same order), then, unless the key filter rules the key out,
    /// every field.
    @inline(__always)
    func lookup(_ p: UnsafePointer<UInt8>, _ count: Int) -> Int? {
        let n = fieldBytes.count
        var k = hint < n ? hint : 0
        if Self.equal(p, count, fieldBytes[k]) { return k }
        let s = Self.keySignature(p, count)
        guard keyFilter[s >> 6] & (1 << UInt64(s & 63)) != 0 else { return nil }
        for _ in 1..<n {
            k += 1
            if k >= n { k = 0 }
            if Self.equal(p, count, fieldBytes[k]) { return k }
        }
        return nil
    }

    /// A field's key as it stands in a JSON message, `"name"` (or with `colon`, `"name":`), as
    /// two little-endian words and masks over its bytes, for keys of at most 16 bytes that JSON
    /// writes unescaped; other keys have `length` 0 and are only found by `lookup`.
    struct KeyWords: Sendable {
        var low: UInt64 = 0, high: UInt64 = 0, lowMask: UInt64 = 0, highMask: UInt64 = 0
        var length = 0

        init(_ name: [UInt8], colon: Bool = false) {
            let key = [0x22] + name + [0x22] + (colon ? [UInt8(ascii: ":")] : [])
            guard key.count <= 16, !name.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) else { return }
            for (k, byte) in key.enumerated() {
                if k < 8 {
                    low |= UInt64(byte) << UInt64(8 * k)
                    lowMask |= 0xFF << UInt64(8 * k)
                } else {
                    high |= UInt64(byte) << UInt64(8 * (k - 8))
                    highMask |= 0xFF << UInt64(8 * (k - 8))
                }
            }
            length = key.count
        }

        /// True when the key at `p` (its opening quote), with at least 16 bytes readable, is this one.
        @inline(__always)
        func matches(_ p: UnsafePointer<UInt8>) -> Bool {
            let raw = UnsafeRawPointer(p)
            return UInt64(littleEndian: raw.loadUnaligned(as: UInt64.self)) & lowMask == low
                && UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)) & highMask == high
        }
    }

    /// A number in 0..<1024 from a key's length and its first, middle and last bytes.
    @inline(__always)
    static func keySignature(_ p: UnsafePointer<UInt8>, _ count: Int) -> Int {
        guard count > 0 else { return 0 }
        let h = count &* 0x9E37 ^ Int(p[0]) &* 0x1F3 ^ Int(p[count >> 1]) &* 0x61 ^ Int(p[count - 1]) &* 0x2D5
        return (h ^ h >> 10) & 1023
    }
}
