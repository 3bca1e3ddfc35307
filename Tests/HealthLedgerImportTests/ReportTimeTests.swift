import Foundation
import HealthLedgerImport
import Testing

struct ReportTimeTests {
    static func reader(_ zone: String, _ marketplace: String) -> ReportTimeReader {
        ReportTimeReader(timeZone: TimeZone(identifier: zone)!, dateOrder: DateOrder(marketplace: marketplace)!)
    }

    /// The feedback report's date formats (amazon-reports.md), each 7 March 2026, read as the
    /// start of that day in the seller's zone.
    @Test(arguments: [
        ("US", "America/Los_Angeles", "03/07/26", "2026-03-07T00:00:00-08:00"),
        ("DE", "Europe/Berlin", "07.03.26", "2026-03-07T00:00:00+01:00"),
        ("JP", "Asia/Tokyo", "26/03/07", "2026-03-07T00:00:00+09:00"),
        ("SE", "Europe/Stockholm", "2026-03-07", "2026-03-07T00:00:00+01:00"),
        ("UK", "Europe/London", "07/03/26", "2026-03-07T00:00:00Z"),
        ("IN", "Asia/Kolkata", "07/03/2026", "2026-03-07T00:00:00+05:30"),
    ])
    func feedbackDatesFollowTheMarketplace(marketplace: String, zone: String, text: String, expected: String) {
        #expect(Self.reader(zone, marketplace).read(text)?.rfc3339 == expected)
    }

    @Test func timestampsKeepTheirOffset() {
        let reader = Self.reader("UTC", "US")
        #expect(reader.read("2017-06-17T08:04:21+09:00")?.rfc3339 == "2017-06-17T08:04:21+09:00")
        // Amazon's performance report gives minutes only.
        #expect(reader.read("2020-11-18T23:59Z")?.rfc3339 == "2020-11-18T23:59:00Z")
        #expect(reader.read("2026-03-01 10:00:00-05:00")?.rfc3339 == "2026-03-01T10:00:00-05:00")
    }

    /// A local time without offset is the seller's wall clock: 8 March 2026 is the US's spring
    /// forward, so 01:30 is at −08:00 and 03:30 at −07:00.
    @Test func localTimesAreTheSellersWallClock() {
        let reader = Self.reader("America/Los_Angeles", "US")
        #expect(reader.read("2026-03-08 01:30:00")?.rfc3339 == "2026-03-08T01:30:00-08:00")
        #expect(reader.read("2026-03-08T03:30")?.rfc3339 == "2026-03-08T03:30:00-07:00")
    }

    @Test(arguments: ["yesterday", "13/13/26", "02/30/26", "2026-03-01T25:00:00Z", "2026-03-01T10:00:00+0100", ""])
    func whatIsNoTimeIsRefused(text: String) {
        #expect(Self.reader("UTC", "US").read(text) == nil)
    }
}
