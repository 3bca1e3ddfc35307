import Foundation
import HealthLedgerCore
import HealthLedgerSimulation
import HealthLedgerStore
import Testing

/// Known-at queries start from the latest snapshot before their time; whatever snapshots
/// there are, the answer is that of a replay from the first event.
struct ReplaySnapshotTests {
    /// A recorded time on day `index` after 2026-04-01, at noon UTC.
    static func recordedDay(_ index: Int) -> Instant { instant("2026-04-01T12:00:00Z").adding(hours: Int64(24 * index)) }

    /// Every metric as of every fifth day, known at `knownAt`: through the snapshots, and from
    /// a replay of every event recorded by then.
    static func expectSameAnswers(_ log: EventLog, seller: String, knownAt: Instant, _ comment: String) throws {
        let fromScratch = DailyDeltas(try log.replay(seller: seller, knownAt: knownAt).deltas(of: seller).byKey)
        for day in stride(from: ProjectionPropertyTests.firstDay, through: ProjectionPropertyTests.firstDay + 40, by: 5) {
            let dashboard = try log.dashboard(seller: seller, asOf: CivilDate(daysSinceEpoch: day), knownAt: knownAt, knownAtText: "")
            let expected = fromScratch.counts(asOf: day)
            for reading in dashboard.readings {
                #expect(reading.counts == expected[reading.definition.id] ?? Counts(), "\(comment), \(reading.definition.id) as of \(CivilDate(daysSinceEpoch: day))")
            }
        }
    }

    /// The property test's random events, appended in eight batches a recorded day apart, with
    /// the snapshots `ingest` takes after each; the seventh batch is a backfill recorded before
    /// the fourth, which leaves every snapshot as it was: the known-at queries that a snapshot
    /// taken before it serves replay the backfill after it.
    @Test(arguments: 1...8)
    func knownAtAnswersAreThoseOfAReplayFromTheFirstEvent(seed: Int) throws {
        let (seller, _, lines) = ProjectionPropertyTests.events(seed: UInt64(seed))
        let events = lines.map(decoded)
        let database = TemporaryDatabase()
        let log = try database.open()
        let recordedDays = [0, 1, 2, 3, 4, 5, 2, 6]
        let size = (events.count + recordedDays.count - 1) / recordedDays.count
        for (batch, day) in recordedDays.enumerated() {
            let recordedAt = Self.recordedDay(day).adding(hours: Int64(batch))
            let before = try log.snapshots(seller: seller).map(\.sequence)
            _ = try log.append(Array(events.dropFirst(batch * size).prefix(size)), recordedAt: recordedAt)
            #expect(try log.snapshots(seller: seller).map(\.sequence) == before, "an append leaves the snapshots as they were")
            try log.refreshSnapshots(minimumEvents: 1)
        }
        // Due after each of the first five batches (each adds at least a quarter), then after
        // the seventh (two batches since the fifth's).
        #expect(try log.snapshots(seller: seller).count == 6)
        for hours in stride(from: 0, through: 24 * 8, by: 7) {
            try Self.expectSameAnswers(log, seller: seller, knownAt: Self.recordedDay(0).adding(hours: Int64(hours)), "seed \(seed), known at +\(hours) h")
        }
    }

    /// Rebuilt from the log, a seller has a snapshot at the end of each recorded day the
    /// schedule keeps; answers stay those of a replay from the first event.
    @Test func rebuiltSnapshotsFollowTheSchedule() throws {
        let (seller, _, lines) = ProjectionPropertyTests.events(seed: 5)
        let database = TemporaryDatabase()
        let log = try database.open()
        let events = lines.map(decoded)
        // Twelve batches, five recorded days apart: 2026-04-01 to 2026-05-26.
        let size = events.count / 12
        for batch in 0..<12 {
            _ = try log.append(Array(events.dropFirst(batch * size).prefix(batch == 11 ? events.count : size)), recordedAt: Self.recordedDay(5 * batch))
        }
        try log.rebuildSnapshots()
        let days = try log.snapshots(seller: seller).map { CivilDate(daysSinceEpoch: Int($0.recordedAt.microseconds.floorDivided(by: 86_400_000_000))).description }
        // April's last batch, and May's within seven days of the last (05-21 and 05-26).
        #expect(days == ["2026-04-26", "2026-05-21", "2026-05-26"])
        for batch in 0..<12 {
            try Self.expectSameAnswers(log, seller: seller, knownAt: Self.recordedDay(5 * batch).adding(hours: 1), "known after batch \(batch)")
        }
    }

    @Test func theScheduleKeepsTheLastWeekAndEachMonthsLastDay() {
        let day = { (text: String) in CivilDate(iso: text)!.daysSinceEpoch }
        let days = Set(["2026-01-10", "2026-01-31", "2026-02-03", "2026-02-20", "2026-02-24", "2026-02-25", "2026-03-01", "2026-03-02"].map(day))
        #expect(SnapshotSchedule.kept(days) == Set(["2026-01-31", "2026-02-24", "2026-02-25", "2026-03-01", "2026-03-02"].map(day)))
    }
}
