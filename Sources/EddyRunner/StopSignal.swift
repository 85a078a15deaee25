import Dispatch
import Foundation
import Synchronization

/// A flag the run loop checks between batches, raised by SIGTERM/SIGINT (or by `raise()`):
/// the runner then finishes the batch in hand, checkpoints, commits and closes.
///
/// ```swift
/// let stop = StopSignal.onTerminationSignals()
/// try runner.run(options: options, stop: stop)   // returns after SIGTERM, state saved
/// ```
public final class StopSignal: @unchecked Sendable {
    private let raised = Atomic<Bool>(false)
    /// Kept alive for as long as the signal; set once, before the signal is shared.
    private var sources: [DispatchSourceSignal] = []

    public init() {}

    /// A stop signal raised by SIGTERM or SIGINT (whose default actions are turned off).
    public static func onTerminationSignals() -> StopSignal {
        let stop = StopSignal()
        stop.sources = [SIGTERM, SIGINT].map { signalNumber in
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { [unowned stop] in stop.raise() }
            source.resume()
            return source
        }
        return stop
    }

    public var isRaised: Bool { raised.load(ordering: .acquiring) }

    public func raise() { raised.store(true, ordering: .releasing) }
}
