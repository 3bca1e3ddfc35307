import Foundation
import HealthLedgerCore
import HealthLedgerStore
import Testing

/// `replay/audits/`: event logs as batches with pinned recorded times, and the dashboard
/// expected as of given days, with and without a known-at time. The regression corpus any
/// change of the metric machinery must keep passing.
struct GoldenAuditTests {
    struct Audit: Decodable, CustomTestStringConvertible, Sendable {
        struct Batch: Decodable, Sendable {
            let file: String
            let recorded_at: String
        }

        struct Check: Decodable, Sendable {
            let as_of: String
            let known_at: String?
            let metric: String
            let numerator: Int64
            let denominator: Int64
            let why: String
        }

        var name = ""
        let seller: String
        let batches: [Batch]
        let checks: [Check]

        enum CodingKeys: String, CodingKey { case seller, batches, checks }

        var testDescription: String { name }

        static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("replay/audits")

        static let all: [Audit] = try! FileManager.default.contentsOfDirectory(atPath: folder.path).sorted().map { name in
            var audit = try JSONDecoder().decode(Audit.self, from: Data(contentsOf: folder.appendingPathComponent("\(name)/expected.json")))
            audit.name = name
            return audit
        }
    }

    @Test(arguments: Audit.all)
    func theDashboardOfEveryDayAndKnownAtTimeIsTheExpectedOne(_ audit: Audit) throws {
        let database = TemporaryDatabase()
        let log = try database.open()
        for batch in audit.batches {
            let lines = try String(contentsOf: Audit.folder.appendingPathComponent("\(audit.name)/\(batch.file)"), encoding: .utf8)
                .split(separator: "\n").map { try EventDecoder.decode(Array($0.utf8)).get() }
            let outcomes = try log.append(lines, recordedAt: instant(batch.recorded_at))
            #expect(outcomes.allSatisfy { if case .appended = $0 { true } else { false } }, "\(batch.file)")
        }
        for check in audit.checks {
            let day = try #require(CivilDate(iso: check.as_of))
            let dashboard = try check.known_at.map { try log.dashboard(seller: audit.seller, asOf: day, knownAt: instant($0), knownAtText: $0) }
                ?? log.dashboard(seller: audit.seller, asOf: day)
            let reading = try #require(dashboard.readings.first { $0.definition.id == check.metric })
            #expect(reading.counts == Counts(numerator: check.numerator, denominator: check.denominator),
                    "\(check.metric) as of \(check.as_of) known at \(check.known_at ?? "now"): \(check.why)")
        }
        #expect(try log.verifyProjection().isEqual)
    }
}
