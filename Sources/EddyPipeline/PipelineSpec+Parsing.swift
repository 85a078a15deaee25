import EddyDrift
import EddyKafka
import Foundation
import Yams

extension PipelineSpec {
    /// The top-level sections, in the order the parser reads them.
    static let sections = ["name", "source", "format", "features", "task", "learner", "optimizer", "drift",
                           "adaptation", "rollback", "metrics", "checkpoint", "database"]

    /// Reads and validates the pipeline file at `path`; `${VAR}` values come from `environment`.
    public static func load(path: String, environment: [String: String]) throws(PipelineError) -> PipelineSpec {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw .unreadable(path: path, reason: (error as NSError).localizedDescription)
        }
        let url = URL(fileURLWithPath: path)
        return try parse(yaml: text, environment: environment, fileName: url.lastPathComponent,
                         directory: url.deletingLastPathComponent().path)
    }

    /// Validates pipeline YAML; `fileName` prefixes messages, `directory` anchors a relative database path.
    public static func parse(yaml: String, environment: [String: String], fileName: String = "pipeline.yaml",
                             directory: String = ".") throws(PipelineError) -> PipelineSpec {
        let root: Node?
        do { root = try Yams.compose(yaml: yaml) } catch let error as YamlError {
            throw syntaxError(error, yaml: yaml, fileName: fileName)
        } catch {
            throw .invalid(file: fileName, line: 1, message: "not valid YAML: \(error)")
        }
        guard let root else { throw .invalid(file: fileName, line: 1, message: "the file is empty; it needs at least source, features and learner") }
        var top = try SpecSection(fileName: fileName, environment: environment, path: "", node: root, line: 1)
        for key in top.givenKeys where !sections.contains(key) {
            throw top.fail(top.lineOf(key), "unknown top-level key '\(key)'; allowed: \(sections.joined(separator: ", "))")
        }
        let stem = (fileName as NSString).deletingPathExtension
        let name = try top.string("name", default: stem)
        guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) else {
            throw top.fail(top.lineOf("name"), "name '\(name)' may hold only letters, digits, '-', '_' and '.'")
        }

        var s = try top.section("source")
        let source = try parseSource(&s, name: name)
        top.adopt(s)

        var f = try top.section("format")
        let formatKind = try f.choice("type", default: FormatKind.json, what: "format")
        let format: Format
        switch formatKind {
        case .json: format = .json
        case .csv:
            let columns = try f.stringList("columns", default: nil, nonEmpty: true)
            let delimiter = try f.string("delimiter", default: ",")
            guard delimiter.utf8.count == 1, let byte = delimiter.utf8.first, byte != UInt8(ascii: "\"") else {
                throw f.fail(f.lineOf("delimiter"), "'format.delimiter' must be one character other than '\"', not '\(delimiter)'")
            }
            format = .csv(columns: columns, delimiter: byte)
        }
        try f.finish(note: formatKind == .json ? " (for type json)" : "")
        top.adopt(f)

        let task = try top.choice("task", default: Task.binary, what: "task")

        var fe = try top.section("features")
        let features = try parseFeatures(&fe, task: task)
        if case .csv(let columns, _) = format {
            for field in features.numeric + features.categorical + [features.label] + (features.vector.map { [$0] } ?? [])
            where !columns.contains(field) {
                let key = field == features.label ? "label" : features.numeric.contains(field) ? "numeric" : "categorical"
                throw fe.fail(fe.lineOf(key),
                              "field '\(field)' is not one of the CSV columns \(columns.joined(separator: ", "))")
            }
            if features.vector != nil {
                throw fe.fail(fe.lineOf("vector"), "'features.vector' applies to JSON events only")
            }
        }
        top.adopt(fe)

        var l = try top.section("learner")
        let learner = try parseLearner(&l, task: task)
        top.adopt(l)

        var o = try top.section("optimizer")
        var optimizer: Optimizer?
        if learner.kind.usesOptimizer {
            optimizer = try parseOptimizer(&o)
            top.adopt(o)
        } else if top.has("optimizer") {
            throw top.fail(top.lineOf("optimizer"), "learner '\(learner.kind.rawValue)' does not use an optimizer; remove the 'optimizer' section")
        }

        var d = try top.section("drift")
        let drift = try parseDrift(&d, task: task)
        top.adopt(d)

        var a = try top.section("adaptation")
        let adaptation = Adaptation(
            policy: try a.choice("policy", default: learner.kind.usesOptimizer ? AdaptationPolicy.boostLR : .reset, what: "adaptation policy"),
            backgroundOnWarning: try a.bool("background_on_warning", default: true),
            promoteMargin: try a.double("promote_margin", default: 0.01, where: { $0 >= 0 && $0 < 1 }, expected: "in [0, 1)"),
            boostFactor: try a.double("boost_factor", default: 2, where: { $0 > 1 }, expected: "greater than 1"),
            boostEvents: try a.int("boost_events", default: 10_000, in: 1...Int.max))
        if adaptation.policy == .boostLR && !learner.kind.usesOptimizer {
            throw a.fail(a.lineOf("policy"), "policy boost_lr raises a learning rate, and learner '\(learner.kind.rawValue)' has none; use reset or none")
        }
        try a.finish()
        top.adopt(a)

        var r = try top.section("rollback")
        let rollback = try parseRollback(&r, task: task)
        top.adopt(r)

        var m = try top.section("metrics")
        let metrics = Metrics(window: try m.int("window", default: 1000, in: 1...Int.max),
                              snapshotEvery: try m.int("snapshot_every", default: 10_000, in: 1...Int.max))
        try m.finish()
        top.adopt(m)

        var c = try top.section("checkpoint")
        let given = c.has("every_events") || c.has("every_seconds")
        let everyEvents = given ? try c.optionalInt("every_events", in: 1...Int.max) : try c.int("every_events", default: 10_000, in: 1...Int.max)
        let everySeconds: Double?
        if given && !c.has("every_seconds") {
            _ = c.node("every_seconds")
            c.record("every_seconds", .null)
            everySeconds = nil
        } else {
            everySeconds = try c.double("every_seconds", default: 30, where: { $0 > 0 }, expected: "positive")
        }
        let checkpoint = Checkpoint(everyEvents: everyEvents, everySeconds: everySeconds,
                                    onShutdown: try c.bool("on_shutdown", default: true))
        try c.finish()
        top.adopt(c)

        var db = try top.section("database")
        var databasePath = try db.string("path", default: "\(name).db")
        try db.finish()
        top.adopt(db)
        if !databasePath.hasPrefix("/") {
            databasePath = URL(fileURLWithPath: directory).appendingPathComponent(databasePath).standardizedFileURL.path
        }
        try top.finish()

        return PipelineSpec(name: name, source: source, format: format, features: features, task: task, learner: learner,
                            optimizer: optimizer, drift: drift, adaptation: adaptation, rollback: rollback, metrics: metrics,
                            checkpoint: checkpoint, databasePath: databasePath, fileName: fileName,
                            snapshot: .object(top.snapshot))
    }

    enum FormatKind: String, CaseIterable { case json, csv }

    static func syntaxError(_ error: YamlError, yaml: String, fileName: String) -> PipelineError {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return .invalid(file: fileName, line: mark.line, message: "not valid YAML: \(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            // Yams marks the first occurrence; point at the repeated one, at the same indentation.
            let lines = yaml.split(separator: "\n", omittingEmptySubsequences: false)
            let first = context.mark.line
            var line = first
            if first >= 1, first <= lines.count, let key = duplicates.first {
                let indent = lines[first - 1].prefix { $0 == " " }
                let prefix = indent + key + ":"
                line = (first..<lines.count).first { lines[$0].hasPrefix(prefix) }.map { $0 + 1 } ?? first
            }
            return .invalid(file: fileName, line: line, message: "duplicate key \(duplicates.map { "'\($0)'" }.joined(separator: ", ")) (first given at line \(first))")
        default:
            return .invalid(file: fileName, line: 1, message: "not valid YAML: \(error)")
        }
    }

    static func parseSource(_ s: inout SpecSection, name: String) throws(PipelineError) -> Source {
        let brokers = try s.string("brokers")
        guard !brokers.isEmpty else { throw s.fail(s.lineOf("brokers"), "'source.brokers' must not be empty") }
        let topics = try s.stringList("topics", default: nil, nonEmpty: true)
        let group = try s.string("group", default: "eddy-\(name)")
        var p = try s.section("properties")
        var properties: [String: String] = [:]
        for key in p.givenKeys {
            guard let (node, line) = p.node(key) else { continue }
            let (text, redacted) = try p.text(node, line: line, key: key, expected: "a string, number or boolean")
            properties[key] = text
            p.record(key, redacted || KafkaConfiguration.isSecret(key) ? .redacted : .string(text))
        }
        s.adopt(p)
        let deadLetterTopic = try s.optionalString("dead_letter_topic")
        let maxMessageBytes = try s.int("max_message_bytes", default: 1 << 20, in: 1...Int(Int32.max))
        try s.finish()
        return Source(brokers: brokers, topics: topics, group: group, properties: properties,
                      deadLetterTopic: deadLetterTopic, maxMessageBytes: maxMessageBytes)
    }

    static func parseFeatures(_ fe: inout SpecSection, task: Task) throws(PipelineError) -> Features {
        let numeric = try fe.stringList("numeric", default: [])
        let categorical = try fe.stringList("categorical", default: [])
        let hashBits = try fe.int("hash_bits", default: 18, in: 1...24)
        let hashSeed = try fe.int("hash_seed", default: 0, in: 0...Int(UInt32.max))
        let vector = try fe.optionalString("vector")
        let vectorSize = vector == nil ? 0 : try fe.int("vector_size", default: nil, in: 1...1 << 20)
        if vector == nil { _ = fe.node("vector_size") }
        if vector == nil && fe.has("vector_size") {
            throw fe.fail(fe.lineOf("vector_size"), "'features.vector_size' needs 'features.vector'")
        }
        let scale = try fe.choice("scale", default: Scaling.none, what: "scale")
        let maxAbsValue = try fe.limit("max_abs_value", default: 1e12)
        let label = try fe.string("label")
        let classes = try fe.stringList("classes", default: [])
        try fe.finish()

        var seen: Set<String> = []
        for field in numeric + categorical + [label] + (vector.map { [$0] } ?? []) {
            guard seen.insert(field).inserted else {
                throw fe.fail(fe.line, "field '\(field)' is named twice among features and label")
            }
        }
        if numeric.isEmpty && categorical.isEmpty && vector == nil {
            throw fe.fail(fe.line, "'features' names no feature; give numeric, categorical or vector fields")
        }
        if scale == .standard && numeric.isEmpty {
            throw fe.fail(fe.lineOf("scale"), "'features.scale: standard' scales numeric fields, but none are given")
        }
        switch task {
        case .regression:
            if fe.has("classes") { throw fe.fail(fe.lineOf("classes"), "'features.classes' does not apply to task regression") }
        case .binary:
            if fe.has("classes") && classes.count != 2 {
                throw fe.fail(fe.lineOf("classes"), "task binary needs exactly 2 classes, not \(classes.count)")
            }
        case .multiclass:
            guard classes.count >= 2 else {
                throw fe.fail(fe.has("classes") ? fe.lineOf("classes") : fe.line, "task multiclass needs 'features.classes', a list of at least 2 label values")
            }
        }
        if Set(classes).count != classes.count {
            throw fe.fail(fe.lineOf("classes"), "'features.classes' lists a value twice")
        }
        return Features(numeric: numeric, categorical: categorical, hashBits: hashBits, hashSeed: UInt32(hashSeed),
                        vector: vector, vectorSize: vectorSize, scale: scale, maxAbsValue: maxAbsValue, label: label, classes: classes)
    }

    static func parseLearner(_ l: inout SpecSection, task: Task) throws(PipelineError) -> Learner {
        let kind = try l.choice("kind", default: nil as LearnerKind?, what: "learner")
        guard kind.tasks.contains(task) else {
            throw l.fail(l.lineOf("kind"), "learner '\(kind.rawValue)' cannot do task \(task.rawValue); it does \(kind.tasks.map(\.rawValue).joined(separator: ", "))")
        }
        var learner = Learner(kind: kind, loss: "", huberDelta: 1, interceptLR: nil, hidden: [], activation: "relu", factors: 8,
                              initScale: 0.1, seed: 0, gracePeriod: 200, maxDepth: nil, splitCriterion: "info_gain",
                              splitConfidence: 1e-7, tieThreshold: 0.05, leafPrediction: "naive_bayes_adaptive")
        func oneOf(_ key: String, _ allowed: [String], _ fallback: String) throws(PipelineError) -> String {
            let value = try l.string(key, default: fallback)
            guard allowed.contains(value) else {
                throw l.fail(l.lineOf(key), "'learner.\(key)' '\(value)' is not one of \(allowed.joined(separator: ", "))")
            }
            return value
        }
        switch kind {
        case .logisticRegression:
            learner.loss = try oneOf("loss", ["log", "hinge"], "log")
            learner.interceptLR = try l.double("intercept_lr", default: 0.01, where: { $0 >= 0 }, expected: "0 or more")
        case .linearRegression:
            learner.loss = try oneOf("loss", ["squared", "huber"], "squared")
            learner.huberDelta = try l.double("huber_delta", default: 1, where: { $0 > 0 }, expected: "positive")
            learner.interceptLR = try l.double("intercept_lr", default: 0.01, where: { $0 >= 0 }, expected: "0 or more")
        case .softmaxRegression, .gaussianNB:
            break
        case .mlp:
            learner.hidden = try l.intList("hidden", default: [32], in: 1...65_536)
            learner.activation = try oneOf("activation", ["relu", "tanh", "sigmoid", "identity"], "relu")
            learner.seed = UInt64(try l.int("seed", default: 0, in: 0...Int.max))
        case .factorizationMachine:
            learner.factors = try l.int("factors", default: 8, in: 1...1024)
            learner.initScale = try l.double("init_scale", default: 0.1, where: { $0 > 0 }, expected: "positive")
            learner.seed = UInt64(try l.int("seed", default: 0, in: 0...Int.max))
        case .hoeffdingTree:
            learner.gracePeriod = try l.int("grace_period", default: 200, in: 1...Int.max)
            learner.maxDepth = try l.optionalInt("max_depth", in: 1...1000)
            learner.splitCriterion = try oneOf("split_criterion", ["info_gain", "gini"], "info_gain")
            learner.splitConfidence = try l.double("split_confidence", default: 1e-7, where: { $0 > 0 && $0 < 1 }, expected: "in (0, 1)")
            learner.tieThreshold = try l.double("tie_threshold", default: 0.05, where: { $0 >= 0 }, expected: "0 or more")
            learner.leafPrediction = try oneOf("leaf_prediction", ["majority", "naive_bayes", "naive_bayes_adaptive"], "naive_bayes_adaptive")
        }
        try l.finish(note: " for learner \(kind.rawValue)")
        return learner
    }

    static func parseOptimizer(_ o: inout SpecSection) throws(PipelineError) -> Optimizer {
        let kind = try o.choice("kind", default: OptimizerKind.sgd, what: "optimizer")
        let positive: (Double) -> Bool = { $0 > 0 }
        let nonNegative: (Double) -> Bool = { $0 >= 0 }
        let defaultRate: Double = switch kind {
        case .sgd: 0.01
        case .adagrad, .rmsprop: 0.1
        case .adam, .adamw: 0.001
        case .ftrl: 0.05
        }
        var opt = Optimizer(kind: kind, lr: try o.double("lr", default: defaultRate, where: positive, expected: "positive"),
                            schedule: .constant, power: 0.5, stepFactor: 0.5, stepEvery: 1000, momentum: 0, beta1: 0.9,
                            beta2: 0.999, epsilon: 1e-8, rho: 0.9, weightDecay: 0, ftrlBeta: 1, l1: 0, l2: 0,
                            clipValue: .infinity, clipNorm: .infinity)
        if kind != .ftrl {
            opt.schedule = try o.choice("schedule", default: Schedule.constant, what: "schedule")
            switch opt.schedule {
            case .constant: break
            case .inverseScaling: opt.power = try o.double("power", default: 0.5, where: positive, expected: "positive")
            case .step:
                opt.stepFactor = try o.double("step_factor", default: 0.5, where: { $0 > 0 && $0 <= 1 }, expected: "in (0, 1]")
                opt.stepEvery = try o.int("step_every", default: 1000, in: 1...Int.max)
            }
        }
        let unit: (Double) -> Bool = { $0 >= 0 && $0 < 1 }
        switch kind {
        case .sgd: opt.momentum = try o.double("momentum", default: 0, where: unit, expected: "in [0, 1)")
        case .adagrad: opt.epsilon = try o.double("epsilon", default: 1e-8, where: positive, expected: "positive")
        case .rmsprop:
            opt.rho = try o.double("rho", default: 0.9, where: unit, expected: "in [0, 1)")
            opt.epsilon = try o.double("epsilon", default: 1e-8, where: positive, expected: "positive")
        case .adam, .adamw:
            opt.beta1 = try o.double("beta1", default: 0.9, where: unit, expected: "in [0, 1)")
            opt.beta2 = try o.double("beta2", default: 0.999, where: unit, expected: "in [0, 1)")
            opt.epsilon = try o.double("epsilon", default: 1e-8, where: positive, expected: "positive")
            if kind == .adamw { opt.weightDecay = try o.double("weight_decay", default: 0.01, where: nonNegative, expected: "0 or more") }
        case .ftrl:
            opt.ftrlBeta = try o.double("beta", default: 1, where: nonNegative, expected: "0 or more")
        }
        opt.l1 = try o.double("l1", default: 0, where: nonNegative, expected: "0 or more")
        opt.l2 = try o.double("l2", default: kind == .ftrl ? 1 : 0, where: nonNegative, expected: "0 or more")
        if o.has("clip_value") { opt.clipValue = try o.double("clip_value", default: 0, where: positive, expected: "positive") } else { _ = o.node("clip_value") }
        if o.has("clip_norm") { opt.clipNorm = try o.double("clip_norm", default: 0, where: positive, expected: "positive") } else { _ = o.node("clip_norm") }
        try o.finish(note: " for optimizer \(kind.rawValue)")
        return opt
    }

    static let binaryDetectors: Set<String> = ["ddm", "eddm", "hddm_a", "hddm_w"]

    static func parseDrift(_ d: inout SpecSection, task: Task) throws(PipelineError) -> Drift {
        let detector = try d.string("detector", default: "adwin")
        guard let allowed = DetectorCatalog.parameters[detector] else {
            throw d.fail(d.lineOf("detector"), "detector '\(detector)' is not one of \(DetectorCatalog.names.joined(separator: ", "))")
        }
        var p = try d.section("params")
        var params: [String: String] = [:]
        for key in p.givenKeys {
            guard allowed.contains(key) else {
                throw p.fail(p.lineOf(key), "detector \(detector) has no parameter '\(key)'; allowed: \(allowed.joined(separator: ", "))")
            }
            guard let (node, line) = p.node(key) else { continue }
            let (text, redacted) = try p.text(node, line: line, key: key, expected: "a number or a word")
            params[key] = text
            p.record(key, redacted ? .redacted : .string(text))
            do { _ = try DetectorCatalog.make(detector, parameters: [key: text]) } catch {
                throw p.fail(line, error.description)
            }
        }
        do { _ = try DetectorCatalog.make(detector, parameters: params) } catch {
            throw p.fail(p.line, error.description)
        }
        d.adopt(p)
        let watch = try d.choice("watch", default: Watch.error, what: "watch")
        if binaryDetectors.contains(detector) && (watch == .loss || task == .regression) {
            throw d.fail(d.lineOf(watch == .loss ? "watch" : "detector"),
                         "detector \(detector) reads a 0/1 error stream; use it with a classifier and 'watch: error', or pick adwin, page_hinkley or kswin")
        }
        try d.finish()
        return Drift(detector: detector, params: params, watch: watch)
    }

    /// Metric names the rollback guard can watch, per task.
    static func rollbackMetrics(for task: Task) -> [String] {
        switch task {
        case .binary: ["accuracy", "macro_f1", "f1", "log_loss", "roc_auc"]
        case .multiclass: ["accuracy", "macro_f1", "macro_precision", "macro_recall"]
        case .regression: ["mae", "rmse", "r2"]
        }
    }

    static func parseRollback(_ r: inout SpecSection, task: Task) throws(PipelineError) -> Rollback {
        let enabled = try r.bool("enabled", default: true)
        let metrics = rollbackMetrics(for: task)
        let metric = try r.string("metric", default: metrics[0])
        guard metrics.contains(metric) else {
            throw r.fail(r.lineOf("metric"), "rollback metric '\(metric)' is not one of \(metrics.joined(separator: ", ")) (for task \(task.rawValue))")
        }
        let rollback = Rollback(enabled: enabled, metric: metric,
                                margin: try r.double("margin", default: 0.2, where: { $0 > 0 }, expected: "positive"),
                                windows: try r.int("windows", default: 3, in: 1...1000),
                                lookback: try r.int("lookback", default: 5, in: 1...1000),
                                onNonFinite: try r.bool("on_non_finite", default: true))
        try r.finish()
        return rollback
    }
}
