import EddyCodec

extension MetricSuite {
    /// Every metric's state as one blob, so that a restored pipeline scores exactly as an
    /// uninterrupted one. The suite's configuration (task, window) is not in it: restore into
    /// a suite built the same way.
    ///
    /// ```swift
    /// let blob = suite.serialized()
    /// var again = MetricSuite(task: .binary, window: 500)
    /// try again.restore(blob)
    /// ```
    public func serialized() -> [UInt8] {
        var writer = StateWriter(kind: "metric_suite", version: 1)
        for blob in metricBlobs() { writer.write(blob: blob) }
        return writer.finish()
    }

    /// Restores what `serialized()` wrote from a suite configured like this one.
    public mutating func restore(_ blob: [UInt8]) throws(StateError) {
        var reader = try StateReader(blob, kind: "metric_suite", supported: 1...1)
        if window != nil {
            try accuracy.restore(&reader); try macroPrecision.restore(&reader); try macroRecall.restore(&reader)
            try macroF1.restore(&reader); try f1.restore(&reader); try logLoss.restore(&reader)
            try rocAUC.restore(&reader); try mae.restore(&reader); try rmse.restore(&reader); try r2.restore(&reader)
        } else {
            let c = cumulative
            cumulative = Cumulative(
                accuracy: try Accuracy(state: try reader.readBlob()), macroPrecision: try MacroPrecision(state: try reader.readBlob()),
                macroRecall: try MacroRecall(state: try reader.readBlob()), macroF1: try MacroF1(state: try reader.readBlob()),
                f1: try F1(state: try reader.readBlob()), logLoss: try LogLoss(state: try reader.readBlob()),
                rocAUC: cumulativeAUC ? try ROCAUC(state: try reader.readBlob()) : c.rocAUC,
                mae: try MAE(state: try reader.readBlob()), rmse: try RMSE(state: try reader.readBlob()),
                r2: try R2(state: try reader.readBlob()))
        }
        try reader.finish()
    }

    private func metricBlobs() -> [[UInt8]] {
        if window != nil {
            return [accuracy?.serialized(), macroPrecision?.serialized(), macroRecall?.serialized(),
                    macroF1?.serialized(), f1?.serialized(), logLoss?.serialized(), rocAUC?.serialized(),
                    mae?.serialized(), rmse?.serialized(), r2?.serialized()].map { $0 ?? [] }
        }
        let c = cumulative
        var blobs = [c.accuracy.serialized(), c.macroPrecision.serialized(), c.macroRecall.serialized(),
                     c.macroF1.serialized(), c.f1.serialized(), c.logLoss.serialized()]
        if cumulativeAUC { blobs.append(c.rocAUC.serialized()) }
        blobs += [c.mae.serialized(), c.rmse.serialized(), c.r2.serialized()]
        return blobs
    }
}

extension Optional where Wrapped: Metric {
    /// Reads the next nested blob: empty for an absent metric, else this metric's state.
    fileprivate mutating func restore(_ reader: inout StateReader) throws(StateError) {
        let blob = try reader.readBlob()
        switch (self, blob.isEmpty) {
        case (.none, true): return
        case (.some, false): self = try Wrapped(state: blob)
        default: throw .invalid("metric suite state does not match this suite's metrics")
        }
    }
}
