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

    /// Restores what `serialized()` wrote from a suite configured like this one.
    public mutating func restore(_ blob: [UInt8]) throws(StateError) {
        var reader = try StateReader(blob, kind: "metric_suite", supported: 2...2)
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
}
