import Foundation

/// Loads a JSON fixture written by one of the `ops/fixtures/*.py` scripts.
enum Fixture {
    static func load<T: Decodable>(_ name: String, as type: T.Type) throws -> T {
        guard let url = Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Fixtures") else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "fixture \(name).json missing"])
        }
        let decoder = JSONDecoder()
        // JSON has no NaN or infinity: the scripts write them as these strings
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "Infinity",
                                                                        negativeInfinity: "-Infinity", nan: "NaN")
        return try decoder.decode(T.self, from: Data(contentsOf: url))
    }
}
