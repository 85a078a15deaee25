import EddyCodec
import Testing

private func sampleBlob() -> [UInt8] {
    var writer = StateWriter(kind: "sample", version: 2)
    writer.write([1.5, -0.0, .nan, .infinity])
    writer.write(42)
    writer.write("héllo")
    writer.write(true)
    return writer.finish()
}

@Test func roundTripIsBitwise() throws {
    var reader = try StateReader(sampleBlob(), kind: "sample", supported: 1...2)
    let doubles = try reader.readDoubles()
    #expect(doubles.map(\.bitPattern) == [1.5, -0.0, .nan, .infinity].map(\.bitPattern))
    #expect(try reader.readInt() == 42)
    #expect(try reader.readString() == "héllo")
    #expect(try reader.readBool())
    try reader.finish()
    #expect(reader.version == 2)
}

@Test func truncatedBlobIsRefused() {
    let blob = sampleBlob()
    #expect(throws: StateError.checksumMismatch) {
        _ = try StateReader(Array(blob.dropLast(3)), kind: "sample", supported: 1...2)
    }
    #expect(throws: StateError.notEddyState) {
        _ = try StateReader([1, 2, 3], kind: "sample", supported: 1...2)
    }
}

@Test func flippedByteIsRefused() {
    var blob = sampleBlob()
    blob[20] ^= 0x40
    #expect(throws: StateError.checksumMismatch) {
        _ = try StateReader(blob, kind: "sample", supported: 1...2)
    }
}

@Test func wrongKindAndNewerVersionAreRefused() {
    #expect(throws: StateError.wrongKind(expected: "adwin", found: "sample")) {
        _ = try StateReader(sampleBlob(), kind: "adwin", supported: 1...2)
    }
    #expect(throws: StateError.unsupportedVersion(kind: "sample", found: 2, supported: 1...1)) {
        _ = try StateReader(sampleBlob(), kind: "sample", supported: 1...1)
    }
}
