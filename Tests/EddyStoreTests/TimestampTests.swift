import Foundation
import Testing
@testable import EddyStore

@Suite struct TimestampTests {
    // Epoch milliseconds from Python: calendar.timegm((2026, 11, 29, 16, 40, 0)) * 1000 + 123.
    @Test func formatsAndParsesISO8601UTCWithMilliseconds() {
        let date = millis(1_795_970_400_123)
        #expect(Timestamp.format(date) == "2026-11-29T16:40:00.123Z")
        #expect(Timestamp.parse("2026-11-29T16:40:00.123Z") == date)
        #expect(Timestamp.parse("2026-11-29T16:40:00Z") == millis(1_795_970_400_000))
        #expect(Timestamp.parse("2026-11-29T16:40:00.1Z") == millis(1_795_970_400_100))
        #expect(Timestamp.parse("2026-11-29T16:40:00.123456Z") == date)
        #expect(Timestamp.format(millis(0)) == "1970-01-01T00:00:00.000Z")
        #expect(Timestamp.format(millis(-1)) == "1969-12-31T23:59:59.999Z")
    }

    @Test func refusesOtherText() {
        for text in ["", "2026-11-29", "2026-11-29 16:40:00Z", "2026-11-29T16:40:00.123", "2026-11-29T16:40:00.Z", "2026-1a-29T16:40:00Z"] {
            #expect(Timestamp.parse(text) == nil, "\(text)")
        }
    }

    /// What SQLite writes for `strftime('%Y-%m-%dT%H:%M:%fZ', 'now')` reads back.
    @Test func matchesSQLitesOwnFormat() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let text = try rawQueue(dir.file("t.sqlite")).read {
            try String.fetchOne($0, sql: "SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 1795970400.123, 'unixepoch')")
        }
        #expect(text == "2026-11-29T16:40:00.123Z")
    }
}
