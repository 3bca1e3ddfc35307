import Foundation
import Synchronization
import HealthLedgerCore
import HealthLedgerStore
import Testing

/// `replay/schema-v1/log.sqlite` was written by the first schema version (before unit
/// histories), holding the ODR, late-response and return scenarios of `replay/scenarios/`.
struct SchemaMigrationTests {
    static let firstVersion = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("replay/schema-v1/log.sqlite")

    @Test func aFirstVersionDatabaseIsMigratedAndKeepsProjecting() throws {
        let database = TemporaryDatabase()
        try FileManager.default.copyItem(at: Self.firstVersion, to: URL(fileURLWithPath: database.path))
        let log = try database.open()
        let verification = try log.verify()
        #expect(verification.isIntact)
        #expect(verification.eventCount == 52)
        // As replay/scenarios/order_defect_rate.expected.json works out: 5 of 7 as of 03-12.
        let day = CivilDate(year: 2026, month: 3, day: 12)
        #expect(try log.dashboard(seller: "odr", asOf: day).reading("order_defect_rate").counts == Counts(numerator: 5, denominator: 7))
        // o5's 3-star feedback is re-posted with 1 star: the migrated history of o5 must hold
        // its order_placed for the new post to make it the sixth defective order.
        let repost = try EventDecoder.decode(Array(#"{"id":"odr-repost","type":"feedback_posted","at":"2026-03-11T12:00:00Z","seller":"odr","order":"o5","feedback":"f5","rating":1}"#.utf8)).get()
        #expect(try log.append([repost], recordedAt: instant("2026-06-01T00:00:00Z")) == [.appended(sequence: 53)])
        #expect(try log.dashboard(seller: "odr", asOf: day).reading("order_defect_rate").counts == Counts(numerator: 6, denominator: 7))
    }

    /// A reader (`metrics`) of a log an older HealthLedger wrote migrates it once and answers.
    @Test func aFirstVersionDatabaseOpenedForReadingIsMigratedToo() throws {
        let database = TemporaryDatabase()
        try FileManager.default.copyItem(at: Self.firstVersion, to: URL(fileURLWithPath: database.path))
        let log = try EventLog(path: database.path, readOnly: true)
        let day = CivilDate(year: 2026, month: 3, day: 12)
        #expect(try log.dashboard(seller: "odr", asOf: day).reading("order_defect_rate").counts == Counts(numerator: 5, denominator: 7))
        #expect(try log.dashboard(seller: "odr", asOf: day, knownAt: instant("2030-01-01T00:00:00Z"), knownAtText: "").reading("order_defect_rate").counts
                == Counts(numerator: 5, denominator: 7))
    }

    /// Processes that open one log at once (cron jobs started together) race to migrate it; each
    /// must find the schema complete, whoever made it.
    @Test(arguments: [false, true]) func connectionsThatMigrateOneLogAtOnceAllSucceed(fromFirstVersion: Bool) throws {
        for _ in 0..<8 {
            let database = TemporaryDatabase()
            if fromFirstVersion {
                try FileManager.default.copyItem(at: Self.firstVersion, to: URL(fileURLWithPath: database.path))
            }
            let path = database.path
            let failures = Mutex<[String]>([])
            DispatchQueue.concurrentPerform(iterations: 6) { _ in
                do { _ = try EventLog(path: path) } catch { failures.withLock { $0.append("\(error)") } }
            }
            #expect(failures.withLock { $0 } == [])
            #expect(try database.open().verify().eventCount == (fromFirstVersion ? 52 : 0))
        }
    }
}

extension Dashboard {
    func reading(_ id: String) -> MetricReading { readings.first { $0.definition.id == id }! }
}
