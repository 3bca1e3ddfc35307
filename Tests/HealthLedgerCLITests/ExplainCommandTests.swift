import Foundation
import Testing

/// `explain` lists the units behind a numerator; their numerators must add up to the
/// dashboard's, for rates, averages and counts alike.
struct ExplainCommandTests {
    @Test(arguments: ["order_defect_rate", "late_shipment_rate_10d", "late_response_rate", "return_dissatisfaction_rate",
                      "first_contact_resolution_rate", "average_response_hours", "policy_violations"])
    func theListedUnitsAddUpToTheNumerator(metric: String) throws {
        let folder = TrendCommandTests.sampleFolder
        for (seller, day) in [("seller-1", "2026-04-30"), ("seller-3", "2026-03-15")] {
            let explained = try HealthLedgerProcess.run(["explain", "--seller", seller, "--metric", metric, "--as-of", day, "--format", "json"], in: folder.url)
            #expect(explained.status == 0, "\(explained.stderr)")
            let units = try #require((try JSONSerialization.jsonObject(with: Data(explained.stdout.utf8)) as? [String: Any])?["units"] as? [[String: Any]])
            let sum = units.reduce(Int64(0)) { $0 + Int64(($1["numerator"] as? Int) ?? 0) }
            let dashboard = try HealthLedgerProcess.run(["metrics", "--seller", seller, "--as-of", day, "--format", "json"], in: folder.url)
            let reading = try #require(((try JSONSerialization.jsonObject(with: Data(dashboard.stdout.utf8)) as? [String: Any])?["metrics"] as? [String: [String: Any]])?[metric])
            let numerator = try #require(reading["numerator"] as? Double)
            let scale = metric == "average_response_hours" ? 3_600_000_000.0 : 1
            #expect(abs(Double(sum) / scale - numerator) < 1e-6, "\(seller) \(metric) as of \(day)")
            // Sorted by the day each unit leaves the window, every one still in it.
            let leaving = units.compactMap { $0["leaves_window"] as? String }
            #expect(leaving == leaving.sorted() && leaving.allSatisfy { $0 > day })
        }
    }
}

extension ExplainCommandTests {
    /// A late thread shows each of its messages with how long it waited: one of them over 24 h.
    @Test func aLateThreadShowsTheMessageThatWaitedOver24Hours() throws {
        let explained = try HealthLedgerProcess.run(["explain", "--seller", "seller-1", "--metric", "late_response_rate", "--as-of", "2026-04-30", "--format", "json"],
                                                    in: TrendCommandTests.sampleFolder.url)
        let units = try #require((try JSONSerialization.jsonObject(with: Data(explained.stdout.utf8)) as? [String: Any])?["units"] as? [[String: Any]])
        #expect(!units.isEmpty)
        for unit in units {
            let waits = (unit["messages"] as? [[String: Any]] ?? []).compactMap { ($0["what"] as? String)?.split(separator: " ").dropLast().last.flatMap { Double($0) } }
            #expect(waits.contains { $0 > 24 }, "\(unit["unit"] ?? "")")
        }
    }
}
