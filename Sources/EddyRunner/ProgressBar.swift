import Foundation

/// Shows a replay's progress on standard error: a bar redrawn in place (at most ten times a
/// second) with events/s and the time left, or a plain line every few seconds when standard
/// error is not a terminal (logs, CI), or nothing.
///
/// ```swift
/// let bar = ProgressBar(style: .automatic)
/// let summary = try replay.run(progress: bar.show)
/// ```
public final class ProgressBar {
    public enum Style: String, Sendable, CaseIterable {
        /// `bar` on a terminal, `lines` otherwise.
        case automatic = "auto"
        case bar, lines, none
    }

    public let style: Style
    private let lineEvery: Duration
    private var lastShown: Duration?

    /// `lineEvery`: the interval between plain lines.
    public init(style: Style, lineEvery: Duration = .seconds(5)) {
        self.style = style == .automatic ? (isatty(STDERR_FILENO) != 0 ? .bar : .lines) : style
        self.lineEvery = lineEvery
    }

    /// Takes one progress report; draws or prints when it is time to.
    public func show(_ progress: ReplayProgress) {
        switch style {
        case .none, .automatic:
            return
        case .bar:
            if !progress.finished, let last = lastShown, progress.elapsed - last < .milliseconds(100) { return }
            lastShown = progress.elapsed
            write("\r\u{1B}[K" + Self.bar(progress) + (progress.finished ? "\n" : ""))
        case .lines:
            if !progress.finished, progress.elapsed - (lastShown ?? .zero) < lineEvery { return }
            lastShown = progress.elapsed
            write(Self.line(progress) + "\n")
        }
    }

    /// The bar's text: `[#####---------------]  25.0%  250,000/1,000,000 offsets  312,004 events/s  ETA 0:02`.
    public static func bar(_ p: ReplayProgress, width: Int = 24) -> String {
        let fraction = p.offsetsTotal > 0 ? min(1, Double(p.offsetsRead) / Double(p.offsetsTotal)) : 1
        let filled = Int((fraction * Double(width)).rounded(.down))
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        return "[\(bar)] \(String(format: "%5.1f", fraction * 100))%  \(grouped(p.offsetsRead))/\(grouped(p.offsetsTotal)) offsets  "
            + "\(grouped(Int64(rate(p)))) events/s  \(ending(p))"
    }

    /// A plain progress line: `replay: 250,000/1,000,000 offsets (25.0%), 249,990 learned, 10 dead-lettered, 312,004 events/s, ETA 0:02`.
    public static func line(_ p: ReplayProgress) -> String {
        let fraction = p.offsetsTotal > 0 ? min(1, Double(p.offsetsRead) / Double(p.offsetsTotal)) : 1
        return "replay: \(grouped(p.offsetsRead))/\(grouped(p.offsetsTotal)) offsets (\(String(format: "%.1f", fraction * 100))%), "
            + "\(grouped(Int64(p.eventsLearned))) learned, \(grouped(Int64(p.deadLettered))) dead-lettered, "
            + "\(grouped(Int64(rate(p)))) events/s, \(ending(p))"
    }

    /// Events (learned or dead-lettered) per second so far.
    static func rate(_ p: ReplayProgress) -> Double {
        let s = seconds(p.elapsed)
        return s > 0 ? Double(p.eventsLearned + p.deadLettered) / s : 0
    }

    /// `ETA 0:02` while running; `done in 0:05`, or `stopped after 0:03` when stopped early.
    static func ending(_ p: ReplayProgress) -> String {
        guard p.finished else { return "ETA \(eta(p))" }
        return "\(p.offsetsRead < p.offsetsTotal ? "stopped after" : "done in") \(clock(seconds(p.elapsed)))"
    }

    /// The time left at the offset rate so far, as h:mm:ss or m:ss; `?` before there is a rate.
    static func eta(_ p: ReplayProgress) -> String {
        let s = seconds(p.elapsed)
        guard s > 0, p.offsetsRead > 0 else { return "?" }
        let left = Double(max(0, p.offsetsTotal - p.offsetsRead)) / (Double(p.offsetsRead) / s)
        return clock(left)
    }

    static func clock(_ seconds: Double) -> String {
        let total = Int(seconds.rounded(.up))
        let (h, m, s) = (total / 3600, total / 60 % 60, total % 60)
        return h > 0 ? String(format: "%d:%02d:%02d", h, m, s) : String(format: "%d:%02d", m, s)
    }

    static func grouped(_ n: Int64) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (n < 0 ? "-" : "") + out
    }

    private static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
