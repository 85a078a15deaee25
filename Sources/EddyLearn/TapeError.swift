/// Why a `GradientTape` could not give a gradient.
///
/// ```swift
/// do { let g = try tape.gradient(of: loss, wrt: [w]) }
/// catch let error as TapeError { print(error) } // says what to change
/// ```
public enum TapeError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A non-persistent tape was asked for a gradient a second time.
    case alreadyUsed
    /// A forward value became NaN or infinite (for example `log(0)` or a division by zero).
    case nonFinite(op: String)
    /// The handle does not belong to what this tape recorded since its last `reset()`.
    case unknownHandle

    public var description: String {
        switch self {
        case .alreadyUsed:
            "this tape already gave its gradient; make it with GradientTape(persistent: true) to ask more than once, or reset() it and record again"
        case .nonFinite(let op):
            "the forward value of '\(op)' is NaN or infinite; check the inputs (for example log of 0, division by 0, or overflowing exp) or use the stable op (logSoftmax, binaryLogLoss from logits, softplus, log1p)"
        case .unknownHandle:
            "the tensor handle was not recorded on this tape since its last reset()"
        }
    }
}
