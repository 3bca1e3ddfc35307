import Foundation
import HealthLedgerCore
import HealthLedgerStore
import Testing

/// `replay/scenarios/`: for each metric, a dozen events and the numerator and denominator
/// expected on given days, worked out by hand in each check's `why`.
struct ScenarioTests {
    struct Scenario: Decodable, CustomTestStringConvertible {
        struct Check: Decodable {
            let as_of: String
            let metric: String
            let numerator: Double
            let denominator: Int64?
            let why: String
        }

        var name = ""
        let seller: String
        let recorded_at: String
        let checks: [Check]

        enum CodingKeys: String, CodingKey { case seller, recorded_at, checks }

        var testDescription: String { name }

        var events: [DecodedEvent] {
            get throws {
                try String(contentsOf: Self.folder.appendingPathComponent("\(name).ndjson"), encoding: .utf8)
                    .split(separator: "\n").map { try EventDecoder.decode(Array($0.utf8)).get() }
            }
        }

        static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("replay/scenarios")

        static let all: [Scenario] = {
            let names = try! FileManager.default.contentsOfDirectory(atPath: folder.path)
                .filter { $0.hasSuffix(".expected.json") }.map { String($0.dropLast(".expected.json".count)) }.sorted()
            return names.map { name in
                var scenario = try! JSONDecoder().decode(Scenario.self, from: Data(contentsOf: folder.appendingPathComponent("\(name).expected.json")))
                scenario.name = name
                return scenario
            }
        }()
    }

    @Test(arguments: Scenario.all)
    func theDashboardMatchesTheHandWorkedNumbers(_ scenario: Scenario) throws {
        let events = try scenario.events
        // In file order, in reverse, and one event per append: arrival order never matters.
        for batches in [[events], [events.reversed()], events.map { [$0] }] {
            let database = TemporaryDatabase()
            let log = try database.open()
            for batch in batches {
                let outcomes = try log.append(batch, recordedAt: instant(scenario.recorded_at))
                #expect(outcomes.allSatisfy { if case .appended = $0 { true } else { false } })
            }
            for check in scenario.checks {
                let dashboard = try log.dashboard(seller: scenario.seller, asOf: try #require(CivilDate(iso: check.as_of)))
                let reading = try #require(dashboard.readings.first { $0.definition.id == check.metric })
                #expect(abs(reading.numerator - check.numerator) < 1e-9, "\(check.metric) as of \(check.as_of): \(check.why)")
                #expect((reading.definition.valueKind == .count ? nil : reading.counts.denominator) == check.denominator,
                        "\(check.metric) as of \(check.as_of): \(check.why)")
            }
        }
    }

    @Test func everyMetricHasAScenario() {
        let checked = Set(Scenario.all.flatMap { $0.checks.map(\.metric) })
        #expect(checked == Set(MetricCatalog.all.map(\.id)))
    }
}
