import Foundation
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

struct TimeZoneTests {
    @Test func everyAcceptedZoneIsKnownToFoundation() {
        #expect(TimeZoneDatabase.identifiers.count > 500)
        for name in TimeZoneDatabase.identifiers {
            #expect(TimeZone(identifier: name) != nil, "\(name)")
        }
        #expect(TimeZoneDatabase.identifiers.isSuperset(of: ["UTC", "Asia/Kolkata", "Europe/Kyiv", "America/Los_Angeles"]))
        #expect(!TimeZoneDatabase.identifiers.contains("utc"))
    }

    @Test func daysEndAtLocalMidnightAcrossDaylightSaving() {
        let losAngeles = LocalCalendar(timeZone: TimeZone(identifier: "America/Los_Angeles")!)
        // 2026-03-08: clocks go from 02:00 to 03:00; the day is 23 hours long.
        let march8 = CivilDate(year: 2026, month: 3, day: 8).daysSinceEpoch
        #expect(losAngeles.end(of: march8 - 1) == Instant(rfc3339: "2026-03-08T00:00:00-08:00"))
        #expect(losAngeles.end(of: march8) == Instant(rfc3339: "2026-03-09T00:00:00-07:00"))
        #expect(losAngeles.day(of: Instant(rfc3339: "2026-03-10T06:30:00Z")!) == march8 + 1)
        // Santiago skips midnight: 2026-09-06 starts at 01:00.
        let santiago = LocalCalendar(timeZone: TimeZone(identifier: "America/Santiago")!)
        let september5 = CivilDate(year: 2026, month: 9, day: 5).daysSinceEpoch
        #expect(santiago.end(of: september5) == Instant(rfc3339: "2026-09-06T01:00:00-03:00"))
    }

    /// The calendar reads offsets from its own table of the zone's transitions; Foundation's
    /// `TimeZone` and `Calendar` must agree with it on every day, in zones whose clocks skip
    /// midnight (Santiago, São Paulo, Havana, Beirut), a whole day (Apia, 2011-12-30), half an
    /// hour (Lord Howe), or change their standard offset with or without daylight saving (Kyiv,
    /// Cairo, Pyongyang in 2015 and 2018, Moscow in 2011 and 2014), and past 2200, where
    /// the table ends.
    @Test func daysAndDayEndsAgreeWithFoundationInEveryKindOfZone() {
        let names = ["UTC", "America/Los_Angeles", "America/Santiago", "America/Sao_Paulo", "America/Havana", "Asia/Beirut",
                     "Pacific/Apia", "Australia/Lord_Howe", "Asia/Kolkata", "Europe/Kyiv", "Africa/Cairo", "America/St_Johns",
                     "Asia/Pyongyang", "Europe/Moscow"]
        let days = [CivilDate(year: 1975, month: 1, day: 1).daysSinceEpoch..<CivilDate(year: 2045, month: 1, day: 1).daysSinceEpoch,
                    CivilDate(year: 2250, month: 1, day: 1).daysSinceEpoch..<CivilDate(year: 2251, month: 1, day: 1).daysSinceEpoch]
        for name in names {
            let zone = TimeZone(identifier: name)!
            let local = LocalCalendar(timeZone: zone)
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = zone
            var disagreements: [String] = []
            for day in days.joined() {
                let date = CivilDate(daysSinceEpoch: day + 1)
                let noon = calendar.date(from: DateComponents(year: date.year, month: date.month, day: date.day, hour: 12))!
                let end = Int64(calendar.startOfDay(for: noon).timeIntervalSince1970)
                if local.end(of: day) != Instant(microseconds: end * 1_000_000) { disagreements.append("end of \(CivilDate(daysSinceEpoch: day))") }
                // Four instants a day, at hours that fall on both sides of every transition over the years.
                for second in stride(from: end - 86_400 + 1_234, to: end, by: 21_601) {
                    let offset = Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(second))))
                    let expected = Int((second + offset).floorDivided(by: 86_400))
                    if local.day(of: Instant(microseconds: second * 1_000_000)) != expected { disagreements.append("day of \(second)") }
                }
            }
            #expect(disagreements.isEmpty, "\(name): \(disagreements.prefix(5))")
        }
    }

    @Test func businessDaysSkipWeekends() {
        let friday = CivilDate(year: 2026, month: 3, day: 6).daysSinceEpoch
        #expect(LocalCalendar.adding(businessDays: 1, to: friday) == friday + 3)
        #expect(LocalCalendar.adding(businessDays: 0, to: friday + 1) == friday + 1)
        #expect(LocalCalendar.adding(businessDays: 1, to: friday + 1) == friday + 3)
        #expect(LocalCalendar.adding(businessDays: 2, to: friday - 4) == friday - 2)
    }
}
