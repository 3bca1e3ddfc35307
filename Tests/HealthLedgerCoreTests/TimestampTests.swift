import HealthLedgerCore
import Testing

struct TimestampTests {
    @Test func offsetsAreAppliedAndMinusZeroIsUTC() {
        #expect(Instant(rfc3339: "2026-03-01T14:05:00+01:30") == Instant(rfc3339: "2026-03-01T12:35:00Z"))
        #expect(Instant(rfc3339: "2026-03-01T14:05:00-00:00") == Instant(rfc3339: "2026-03-01T14:05:00Z"))
        #expect(Instant(rfc3339: "1970-01-01T00:00:00Z")?.microseconds == 0)
        #expect(Instant(rfc3339: "1969-12-31T23:59:59.5Z")?.microseconds == -500_000)
    }

    @Test func fractionsOfAnyLengthKeepMicroseconds() {
        #expect(Instant(rfc3339: "1970-01-01T00:00:01.123456789Z")?.microseconds == 1_123_456)
        #expect(Instant(rfc3339: "1970-01-01T00:00:01.1Z")?.microseconds == 1_100_000)
    }

    @Test(arguments: ["2026-03-01T14:05:00", "2026-02-29T00:00:00Z", "2026-03-01T23:59:60Z", "2026-03-01 14:05:00Z",
                      "0000-01-01T00:00:00Z", "2026-03-01T14:05:00+24:00", "2026-3-01T14:05:00Z", "2026-03-01T14:05:00.Z"])
    func malformedTimestampsAreRefused(_ text: String) {
        #expect(Instant(rfc3339: text) == nil)
    }

    @Test func formattingRoundTripsAtAnyOffset() {
        let instant = Instant(rfc3339: "2024-02-29T23:30:00.25Z")!
        #expect(instant.rfc3339 == "2024-02-29T23:30:00.250000Z")
        #expect(instant.rfc3339(offsetSeconds: 3600) == "2024-03-01T00:30:00.250000+01:00")
        #expect(Instant(rfc3339: instant.rfc3339(offsetSeconds: -19800)) == instant)
    }

    @Test func civilDatesCountDaysAcrossLeapYears() {
        #expect(CivilDate(year: 1970, month: 1, day: 1).daysSinceEpoch == 0)
        #expect(CivilDate(year: 2024, month: 3, day: 1).daysSinceEpoch - CivilDate(year: 2024, month: 2, day: 28).daysSinceEpoch == 2)
        #expect(CivilDate(daysSinceEpoch: CivilDate(year: 2000, month: 12, day: 31).daysSinceEpoch) == CivilDate(year: 2000, month: 12, day: 31))
        #expect(CivilDate(iso: "2025-02-29") == nil)
    }
}
