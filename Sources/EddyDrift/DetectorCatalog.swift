import EddyCodec

/// Builds any detector by its name and textual parameters, with River's parameter names, as
/// `eddy detect --detector NAME --param k=v` does. Unknown names and bad values are refused
/// with an error that lists what is allowed.
///
/// ```swift
/// var detector = try DetectorCatalog.make("adwin", parameters: ["delta": "0.01", "clock": "1"])
/// detector.update(0.3)
/// DetectorCatalog.parameters["kswin"] // ["alpha", "window_size", "stat_size", "seed"]
/// let again = try DetectorCatalog.restore(detector.serialized()) // an ADWIN, as it was
/// ```
public enum DetectorCatalog {
    /// Every detector name, in the order `eddy detect --help` lists them.
    public static let names = ["adwin", "page_hinkley", "kswin", "ddm", "eddm", "hddm_a", "hddm_w"]

    /// The parameters each detector accepts, by River's names.
    public static let parameters: [String: [String]] = [
        "adwin": ["delta", "clock", "max_buckets", "min_window_length", "grace_period"],
        "page_hinkley": ["min_instances", "delta", "threshold", "alpha", "mode"],
        "kswin": ["alpha", "window_size", "stat_size", "seed"],
        "ddm": ["warm_start", "warning_threshold", "drift_threshold"],
        "eddm": ["warm_start", "alpha", "beta"],
        "hddm_a": ["drift_confidence", "warning_confidence", "two_sided_test"],
        "hddm_w": ["drift_confidence", "warning_confidence", "lambda_val", "two_sided_test"],
    ]

    /// Every detector type, in the order of `names`.
    public static let types: [any DriftDetector.Type] = [ADWIN.self, PageHinkley.self, KSWIN.self, DDM.self, EDDM.self, HDDMA.self, HDDMW.self]

    /// Restores whichever detector a state blob holds (for checkpoints that keep only the blob).
    public static func restore(_ blob: [UInt8]) throws(StateError) -> any DriftDetector {
        var found = ""
        for type in types {
            do {
                return try type.init(state: blob)
            } catch .wrongKind(_, let kind) {
                found = kind
            }
        }
        throw .invalid("'\(found)' is not a drift detector; known: \(names.joined(separator: ", "))")
    }

    /// The parameters of a more sensitive twin that serves as the warning signal of a detector
    /// without a warning zone of its own (ADWIN, Page-Hinkley, KSWIN), as River's adaptive random
    /// forest pairs a drift ADWIN (delta 0.001) with a warning ADWIN ten times as sensitive (0.01):
    /// ADWIN's `delta` and KSWIN's `alpha` times ten (capped at 0.5), Page-Hinkley's `threshold`
    /// halved. nil for detectors that have a warning zone (DDM, EDDM, HDDM_A, HDDM_W).
    ///
    /// ```swift
    /// DetectorCatalog.warningTwinParameters("adwin", parameters: ["delta": "0.002"]) // ["delta": "0.02"]
    /// ```
    public static func warningTwinParameters(_ name: String, parameters given: [String: String]) -> [String: String]? {
        var twin = given
        func scaled(_ key: String, _ fallback: Double, _ transform: (Double) -> Double) {
            let value = given[key].flatMap(Double.init) ?? fallback
            twin[key] = String(transform(value))
        }
        switch name {
        case "adwin": scaled("delta", 0.002) { min($0 * 10, 0.5) }
        case "kswin": scaled("alpha", 0.005) { min($0 * 10, 0.5) }
        case "page_hinkley": scaled("threshold", 50) { $0 / 2 }
        default: return nil
        }
        return twin
    }

    /// A detector of the given name with the given parameters; the rest take River's defaults.
    public static func make(_ name: String, parameters given: [String: String] = [:]) throws(DriftConfigurationError) -> any DriftDetector {
        guard let allowed = parameters[name] else { throw .unknownDetector(name: name, allowed: names) }
        for key in given.keys.sorted() where !allowed.contains(key) {
            throw .unknownParameter(detector: name, name: key, allowed: allowed)
        }
        let p = Parameters(detector: name, values: given)
        switch name {
        case "adwin":
            return try ADWIN(delta: p.double("delta", 0.002), clock: p.int("clock", 32), maxBuckets: p.int("max_buckets", 5),
                             minWindowLength: p.int("min_window_length", 5), gracePeriod: p.int("grace_period", 10))
        case "page_hinkley":
            let modeName = given["mode"] ?? "both"
            guard let mode = PageHinkley.Mode(rawValue: modeName) else {
                throw .badValue(detector: name, parameter: "mode", value: modeName, expected: "one of up, down, both")
            }
            return try PageHinkley(minInstances: p.int("min_instances", 30), delta: p.double("delta", 0.005),
                                   threshold: p.double("threshold", 50), alpha: p.double("alpha", 1 - 0.0001), mode: mode)
        case "kswin":
            let seed: Int? = given["seed"] == nil ? nil : try p.int("seed", 0)
            return try KSWIN(alpha: p.double("alpha", 0.005), windowSize: p.int("window_size", 100),
                             statSize: p.int("stat_size", 30), seed: seed)
        case "ddm":
            return try DDM(warmStart: p.int("warm_start", 30), warningThreshold: p.double("warning_threshold", 2),
                           driftThreshold: p.double("drift_threshold", 3))
        case "eddm":
            return try EDDM(warmStart: p.int("warm_start", 30), alpha: p.double("alpha", 0.95), beta: p.double("beta", 0.9))
        case "hddm_a":
            return try HDDMA(driftConfidence: p.double("drift_confidence", 0.001), warningConfidence: p.double("warning_confidence", 0.005),
                             twoSidedTest: p.bool("two_sided_test", false))
        default:
            return try HDDMW(driftConfidence: p.double("drift_confidence", 0.001), warningConfidence: p.double("warning_confidence", 0.005),
                             lambda: p.double("lambda_val", 0.05), twoSidedTest: p.bool("two_sided_test", false))
        }
    }

    /// Reads typed parameter values out of their text.
    private struct Parameters {
        let detector: String
        let values: [String: String]

        func double(_ key: String, _ fallback: Double) throws(DriftConfigurationError) -> Double {
            guard let text = values[key] else { return fallback }
            guard let v = Double(text) else { throw .badValue(detector: detector, parameter: key, value: text, expected: "a number") }
            return v
        }

        func int(_ key: String, _ fallback: Int) throws(DriftConfigurationError) -> Int {
            guard let text = values[key] else { return fallback }
            guard let v = Int(text) else { throw .badValue(detector: detector, parameter: key, value: text, expected: "an integer") }
            return v
        }

        func bool(_ key: String, _ fallback: Bool) throws(DriftConfigurationError) -> Bool {
            guard let text = values[key] else { return fallback }
            switch text.lowercased() {
            case "true", "1", "yes": return true
            case "false", "0", "no": return false
            default: throw .badValue(detector: detector, parameter: key, value: text, expected: "true or false")
            }
        }
    }
}
