import EddyCodec

/// What happens to a gradient before the optimizer sees it: L1 and L2 penalties (added as
/// `l1 * sign(w) + l2 * w` on the entries being updated), clipping of each entry to
/// `[-clipValue, clipValue]`, and clipping of the whole step's gradient to norm `clipNorm`.
///
/// ```swift
/// let policy = GradientPolicy(l2: 1e-4, clipValue: 10, clipNorm: 5)
/// ```
public struct GradientPolicy: Sendable, Equatable {
    public var l1: Double { didSet { penalised = l1 != 0 || l2 != 0 } }
    public var l2: Double { didSet { penalised = l1 != 0 || l2 != 0 } }
    public var clipValue: Double
    public var clipNorm: Double
    /// Whether either penalty is set (checked once per entry instead of two comparisons).
    private(set) var penalised: Bool

    /// No penalty and no clipping unless given (`.infinity` means no clip).
    public init(l1: Double = 0, l2: Double = 0, clipValue: Double = .infinity, clipNorm: Double = .infinity) {
        precondition(l1 >= 0 && l2 >= 0, "penalties must be non-negative")
        precondition(clipValue > 0 && clipNorm > 0, "clipping bounds must be positive")
        self.l1 = l1
        self.l2 = l2
        self.penalised = l1 != 0 || l2 != 0
        self.clipValue = clipValue
        self.clipNorm = clipNorm
    }

    /// The entry the optimizer uses for raw gradient `g` (already scaled for the norm clip)
    /// at weight `w`.
    @inline(__always)
    public func adjusted(_ g: Double, weight w: Double) -> Double {
        var g = g
        if penalised {
            g += l2 * w
            if l1 != 0 && w != 0 { g += w > 0 ? l1 : -l1 }
        }
        return min(max(g, -clipValue), clipValue)
    }

    /// `min(max(g, -clipValue), clipValue)` spelled as the comparisons the vector min and max
    /// instructions make, so that a loop over it vectorises. The two spellings differ only in
    /// which of two equal operands they pick where `g == -clipValue`: the same bits.
    @inline(__always)
    func valueClipped(_ g: Double) -> Double {
        let above = -clipValue > g ? -clipValue : g
        return clipValue < above ? clipValue : above
    }

    /// Whether no entry of a gradient whose entries' squares sum to `squares` (as computed, in
    /// any order) can exceed the value clip, so that the clip leaves every entry as it is:
    /// without penalties (they are added before the clip), with a margin over the sum's
    /// roundings, and for a clip whose square is a normal number (no entry's square underflows
    /// unnoticed).
    @inline(__always)
    func clipCannotBind(squares: Double) -> Bool {
        !penalised && clipValue > 1e-150 && squares <= clipValue * clipValue * (1 - 0x1p-20)
    }

    /// This policy without its value clip.
    var withoutValueClip: GradientPolicy {
        var unclipped = self
        unclipped.clipValue = .infinity
        return unclipped
    }

    func write(to writer: inout StateWriter) {
        writer.write(l1); writer.write(l2); writer.write(clipValue); writer.write(clipNorm)
    }

    init(from reader: inout StateReader) throws(StateError) {
        let l1 = try reader.readDouble(), l2 = try reader.readDouble()
        let clipValue = try reader.readDouble(), clipNorm = try reader.readDouble()
        guard l1 >= 0, l2 >= 0, clipValue > 0, clipNorm > 0 else { throw .invalid("gradient policy out of range") }
        self.init(l1: l1, l2: l2, clipValue: clipValue, clipNorm: clipNorm)
    }
}
