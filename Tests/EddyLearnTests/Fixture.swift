import Foundation

/// Loads a JSON fixture written by a script under `ops/fixtures/`.
func loadFixture(_ name: String) throws -> [String: Any] {
    let url = try #require(Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: "json"))
    let object = try JSONSerialization.jsonObject(with: Data(contentsOf: url))
    return try #require(object as? [String: Any])
}

func doubles(_ value: Any?) -> [Double] { (value as? [Any] ?? []).map { ($0 as! NSNumber).doubleValue } }
func matrix(_ value: Any?) -> [[Double]] { (value as? [Any] ?? []).map { doubles($0) } }

import Testing
