import Foundation

/// Loads a JSON fixture written by one of the `ops/fixtures/*.py` scripts.
enum Fixture {
    static func load<T: Decodable>(_ name: String, as type: T.Type) throws -> T {
        guard let url = Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Fixtures") else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "fixture \(name).json missing"])
        }
        return try JSONDecoder().decode(T.self, from: Data(contentsOf: url))
    }
}
