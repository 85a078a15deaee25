import EddyCodec

extension MetricSuite {
    /// Every metric's state as one blob, so that a restored pipeline scores exactly as an
    /// uninterrupted one. The suite's configuration (task, window) is not in it: restore into
    /// a suite built the same way.
    ///
    /// Version 2: the shared confusion matrix, log-loss, cumulative ROC AUC (empty when not
    /// kept), MAE, RMSE and R², then for a rolling suite its window, oldest event first.
    ///
    /// ```swift
    /// let blob = suite.serialized()
    /// var again = MetricSuite(task: .binary, window: 500)
    /// try again.restore(blob)
    /// ```
    public func serialized() -> [UInt8] {
        var writer = StateWriter(kind: "metric_suite", version: 2)
        writer.write(blob: matrix.serialized())
        writer.write(blob: logLoss.serialized())
        writer.write(blob: keepsCumulativeAUC ? rocAUC.serialized() : [])
        writer.write(blob: mae.serialized())
        writer.write(blob: rmse.serialized())
        writer.write(blob: r2.serialized())
        if let recent {
            writer.write(recent.capacity)
            writer.write(recent.orderedTruths)
            writer.write(recent.orderedPredictions)
            writer.write(recent.orderedProbabilities)
        }
        return writer.finish()
    }

    /// Restores what `serialized()` wrote from a suite configured like this one (also the
    /// version 1 blobs of earlier releases, which kept every metric separately).
    public mutating func restore(_ blob: [UInt8]) throws(StateError) {
        var reader = try StateReader(blob, kind: "metric_suite", supported: 1...2)
        if reader.version == 1 { return try restoreVersion1(&reader) }
        let matrix = try ConfusionMatrix(state: try reader.readBlob())
        let logLoss = try LogLoss(state: try reader.readBlob())
        let aucBlob = try reader.readBlob()
        guard aucBlob.isEmpty != keepsCumulativeAUC else {
            throw .invalid("metric suite state does not match this suite's metrics")
        }
        let rocAUC = keepsCumulativeAUC ? try ROCAUC(state: aucBlob) : ROCAUC()
        let mae = try MAE(state: try reader.readBlob())
        let rmse = try RMSE(state: try reader.readBlob())
        let r2 = try R2(state: try reader.readBlob())
        var recent: EventWindow?
        if let window {
            let capacity = try reader.readInt()
            let truths = try reader.readDoubles(), predictions = try reader.readDoubles()
            let probabilities = try reader.readDoubles()
            let binary = task == .binary
            guard capacity == window, truths.count <= capacity, predictions.count == truths.count,
                  probabilities.count == (binary ? truths.count : 0) else {
                throw .invalid("metric suite window of \(capacity) events does not match this suite's window of \(window)")
            }
            recent = EventWindow(capacity: capacity, keepsProbabilities: binary, truths: truths,
                                 predictions: predictions, probabilities: probabilities)
        }
        try reader.finish()
        self.matrix = matrix
        self.logLoss = logLoss
        self.rocAUC = rocAUC
        self.mae = mae
        self.rmse = rmse
        self.r2 = r2
        self.recent = recent
    }

    /// Version 1: one blob per metric (accuracy, macro precision, macro recall, macro F1, F1,
    /// log-loss, ROC AUC, MAE, RMSE, R²), each `Rolling` in a rolling suite (empty when the
    /// suite lacks it), plain in a cumulative one (ROC AUC left out without `cumulativeAUC`).
    /// Every confusion metric held the same matrix and every `Rolling` the same events.
    private mutating func restoreVersion1(_ reader: inout StateReader) throws(StateError) {
        let binary = task == .binary, regression = task == .regression
        let mismatch = StateError.invalid("metric suite state does not match this suite's metrics")
        let hasAUCBlob = window != nil || cumulativeAUC
        var blobs: [[UInt8]] = []
        for _ in 0..<(hasAUCBlob ? 10 : 9) { blobs.append(try reader.readBlob()) }
        if !hasAUCBlob { blobs.insert([], at: 6) }
        try reader.finish()
        var restored = MetricSuite(task: task, window: window, cumulativeAUC: cumulativeAUC)
        guard let window else {
            restored.matrix = try Accuracy(state: blobs[0]).matrix
            restored.logLoss = try LogLoss(state: blobs[5])
            if keepsCumulativeAUC { restored.rocAUC = try ROCAUC(state: blobs[6]) }
            restored.mae = try MAE(state: blobs[7])
            restored.rmse = try RMSE(state: blobs[8])
            restored.r2 = try R2(state: blobs[9])
            self = restored
            return
        }
        let present = [!regression, !regression, !regression, !regression, binary, binary, binary, regression, regression, regression]
        guard zip(blobs, present).allSatisfy({ $0.isEmpty != $1 }) else { throw mismatch }
        let events: (windowSize: Int, truths: [Double], predictions: [Double])
        var probabilities: [Double] = []
        if regression {
            let mae = try Self.rollingParts(blobs[7], as: MAE.self)
            events = (mae.windowSize, mae.truths, mae.predictions)
            restored.mae = mae.base
            restored.rmse = try Self.rollingParts(blobs[8], as: RMSE.self).base
            restored.r2 = try Self.rollingParts(blobs[9], as: R2.self).base
        } else {
            let accuracy = try Self.rollingParts(blobs[0], as: Accuracy.self)
            events = (accuracy.windowSize, accuracy.truths, accuracy.predictions)
            restored.matrix = accuracy.base.matrix
            if binary {
                let logLoss = try Self.rollingParts(blobs[5], as: LogLoss.self)
                guard logLoss.truths == accuracy.truths else { throw mismatch }
                probabilities = logLoss.predictions
                restored.logLoss = logLoss.base
            }
        }
        guard events.windowSize == window else {
            throw .invalid("metric suite window of \(events.windowSize) events does not match this suite's window of \(window)")
        }
        restored.recent = EventWindow(capacity: window, keepsProbabilities: binary, truths: events.truths,
                                      predictions: events.predictions, probabilities: probabilities)
        self = restored
    }

    /// The window and metric of a `Rolling<Base>` blob (version 1).
    private static func rollingParts<Base: Metric>(_ blob: [UInt8], as _: Base.Type) throws(StateError)
        -> (windowSize: Int, truths: [Double], predictions: [Double], base: Base) {
        var reader = try StateReader(blob, kind: Rolling<Base>.kind, supported: 1...1)
        let windowSize = try reader.readInt()
        let truths = try reader.readDoubles(), predictions = try reader.readDoubles()
        let base = try Base(state: try reader.readBlob())
        try reader.finish()
        guard windowSize >= 1, truths.count == predictions.count, truths.count <= windowSize else {
            throw .invalid("rolling window of \(windowSize) holds \(truths.count) events")
        }
        return (windowSize, truths, predictions, base)
    }
}
