import ArgumentParser
import EddyDrift
import Foundation

/// `eddy detect`: runs one drift detector over a column of numbers and prints where it fired.
///
/// ```
/// $ eddy detect --detector adwin --param delta=0.01 errors.txt
/// drift 1023
/// $ seq 1 100 | eddy detect --detector page_hinkley --param threshold=20 -
/// ```
struct DetectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "detect",
        abstract: "Run a drift detector over one number per line; print `warning <i>` / `drift <i>` (0-based).",
        discussion: """
            Detectors and their parameters (River's names and defaults):
            \(DetectorCatalog.names.map { "  \($0): \(DetectorCatalog.parameters[$0]!.joined(separator: ", "))" }.joined(separator: "\n"))
            Binary detectors (ddm, eddm, hddm_a, hddm_w) expect 1 for an error and 0 for a hit.
            """
    )

    @Option(help: "Detector: \(DetectorCatalog.names.joined(separator: ", ")).")
    var detector: String

    @Option(name: .customLong("param"), help: ArgumentHelp("A detector parameter, e.g. delta=0.01 (repeatable).", valueName: "k=v"))
    var parameters: [String] = []

    @Argument(help: "File with one number per line; - or nothing reads standard input.")
    var file: String = "-"

    func run() throws {
        var values: [String: String] = [:]
        for item in parameters {
            let (key, value) = try PropertyArgument.split(item, option: "--param")
            values[key] = value
        }
        var detector: any DriftDetector
        do {
            detector = try DetectorCatalog.make(self.detector, parameters: values)
        } catch {
            throw ValidationError(error.description)
        }
        let data: Data
        if file == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            guard let contents = FileManager.default.contents(atPath: file) else {
                throw ValidationError("cannot read '\(file)'")
            }
            data = contents
        }
        try Self.run(&detector, over: data, source: file == "-" ? "standard input" : file)
    }

    /// Feeds every line of `data` to the detector, writing detections to standard output.
    static func run(_ detector: inout some DriftDetector, over data: Data, source: String) throws {
        var output = ""
        var index = 0
        var lineNumber = 0
        for line in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if text.isEmpty { continue }
            guard let value = Double(text) else {
                throw ValidationError("\(source) line \(lineNumber): '\(text)' is not a number")
            }
            detector.update(value)
            if detector.warningDetected { output += "warning \(index)\n" }
            if detector.driftDetected { output += "drift \(index)\n" }
            index += 1
            if output.utf8.count > 1 << 16 {
                FileHandle.standardOutput.write(Data(output.utf8))
                output = ""
            }
        }
        FileHandle.standardOutput.write(Data(output.utf8))
    }
}
