import Foundation
import Testing

struct MetricsCommandTests {
    /// A folder whose default database holds the ODR scenario (seller "odr") and the POP one.
    static func folderWithScenarios() throws -> TemporaryFolder {
        let folder = TemporaryFolder()
        let scenarios = Repository.root.appendingPathComponent("replay/scenarios")
        let result = try HealthLedgerProcess.run(["ingest", "--recorded-at", "2026-06-01T00:00:00Z",
                                                  scenarios.appendingPathComponent("order_defect_rate.ndjson").path,
                                                  scenarios.appendingPathComponent("perfect_order_percentage.ndjson").path], in: folder.url)
        try #require(result.status == 0)
        return folder
    }

    static func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    /// ODR as of 03-12 is 5 of 7 (worked out in replay/scenarios/order_defect_rate.expected.json).
    @Test func jsonIsSectionFourOfTheContract() throws {
        let folder = try Self.folderWithScenarios()
        let result = try HealthLedgerProcess.run(["metrics", "--seller", "odr", "--as-of", "2026-03-12", "--format", "json"], in: folder.url)
        #expect(result.status == 0)
        let dashboard = try Self.json(result.stdout)
        #expect(Set(dashboard.keys) == ["seller", "as_of", "known_at", "status", "metrics"])
        #expect(dashboard["seller"] as? String == "odr")
        #expect(dashboard["as_of"] as? String == "2026-03-12")
        #expect(dashboard["known_at"] is NSNull)
        #expect(dashboard["status"] as? String == "at_risk")
        let metrics = try #require(dashboard["metrics"] as? [String: [String: Any]])
        #expect(metrics.count == 21)
        let odr = try #require(metrics["order_defect_rate"])
        #expect(Set(odr.keys) == ["window_days", "numerator", "denominator", "value", "target", "status"])
        #expect(odr["window_days"] as? Int == 60)
        #expect(odr["numerator"] as? Int == 5)
        #expect(odr["denominator"] as? Int == 7)
        #expect(abs((odr["value"] as? Double ?? 0) - 5.0 / 7.0) < 1e-15)
        #expect(odr["target"] as? String == "< 1%")
        #expect(odr["status"] as? String == "red")
        let refunds = try #require(metrics["refund_rate"])
        #expect(refunds["target"] is NSNull && refunds["status"] as? String == "none")
        let violations = try #require(metrics["policy_violations"])
        #expect(violations["denominator"] is NSNull && violations["value"] as? Int == 0 && violations["target"] as? String == "0")
        let responses = try #require(metrics["average_response_hours"])
        #expect(responses["value"] is NSNull && responses["status"] as? String == "none" && responses["denominator"] as? Int == 0)
    }

    @Test func anUnknownSellerReadsAsNothingYet() throws {
        let folder = try Self.folderWithScenarios()
        let result = try HealthLedgerProcess.run(["metrics", "--seller", "nobody", "--as-of", "2026-03-12", "--format", "json"], in: folder.url)
        let dashboard = try Self.json(result.stdout)
        #expect(dashboard["status"] as? String == "healthy")
        let metrics = try #require(dashboard["metrics"] as? [String: [String: Any]])
        for (id, metric) in metrics where id != "policy_violations" {
            #expect(metric["value"] is NSNull && metric["status"] as? String == "none" && metric["numerator"] as? Double == 0, "\(id)")
        }
    }

    @Test func theTableReadsLikeTheAccountHealthPage() throws {
        let folder = try Self.folderWithScenarios()
        let result = try HealthLedgerProcess.run(["metrics", "--seller", "pop", "--as-of", "2026-03-06"], in: folder.url)
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines[0] == "pop · amazon · UTC · as of 2026-03-06")
        // a3 shipped late: 1 of the 3 FBM orders due, red on a red-line metric.
        #expect(lines[1] == "Account status: AT RISK")
        let late = try #require(lines.first { $0.hasPrefix("Late shipment rate (10 days)") })
        #expect(late.contains("33.33%") && late.contains("1 of 3") && late.hasSuffix("red"))
        let pop = try #require(lines.first { $0.hasPrefix("Perfect order percentage") })
        #expect(pop.contains("44.44%") && pop.contains("4 of 9") && pop.contains("> 95%") && pop.hasSuffix("yellow"))
        #expect(!result.stdout.contains("\u{1B}["), "no colour when standard output is not a terminal")
    }

    @Test func csvHasOneRowPerMetric() throws {
        let folder = try Self.folderWithScenarios()
        let result = try HealthLedgerProcess.run(["metrics", "--seller", "odr", "--as-of", "2026-03-20", "--format", "csv"], in: folder.url)
        let rows = result.stdout.split(separator: "\n").map(String.init)
        #expect(rows.count == 22)
        #expect(rows[0] == "seller,as_of,metric,window_days,numerator,denominator,value,target,status")
        #expect(rows.contains("odr,2026-03-20,order_defect_rate,60,4,6,0.6666666666666666,< 1%,red"))
    }

    @Test func allListsEverySellerWithItsRedMetrics() throws {
        let folder = try Self.folderWithScenarios()
        let result = try HealthLedgerProcess.run(["metrics", "--all", "--as-of", "2026-03-12"], in: folder.url)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        let odr = try #require(lines.first { $0.hasPrefix("odr") })
        #expect(odr.contains("at_risk") && odr.contains("order_defect_rate 71.43%") && odr.contains("order_defect_rate_fba 100.00%"))
        let pop = try #require(lines.first { $0.hasPrefix("pop") })
        #expect(pop.contains("at_risk") && pop.contains("late_shipment_rate_10d 33.33%"))
        let json = try HealthLedgerProcess.run(["metrics", "--all", "--as-of", "2026-03-12", "--format", "json"], in: folder.url)
        let dashboards = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(dashboards.map { $0["seller"] as? String } == ["odr", "pop"])
    }

    @Test func badArgumentsExitTwo() throws {
        let folder = try Self.folderWithScenarios()
        #expect(try HealthLedgerProcess.run(["metrics"], in: folder.url).status == 2)
        #expect(try HealthLedgerProcess.run(["metrics", "--seller", "odr", "--as-of", "2026-02-30"], in: folder.url).status == 2)
        #expect(try HealthLedgerProcess.run(["metrics", "--seller", "odr", "--all"], in: folder.url).status == 2)
    }
}
