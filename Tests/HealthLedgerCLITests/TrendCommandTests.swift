import Foundation
import Testing

/// `trend` reads the projection's daily counters once; each day must equal the dashboard
/// `metrics --as-of` gives for it.
struct TrendCommandTests {
    /// Shared by the tests, so never deinitialized: removed when the test process exits.
    static let sampleFolder: TemporaryFolder = {
        let folder = TemporaryFolder()
        atexit { try? FileManager.default.removeItem(at: TrendCommandTests.sampleFolder.url) }
        let sample = Repository.root.appendingPathComponent("replay/sample/events.ndjson.gz").path
        _ = try! HealthLedgerProcess.run(["ingest", sample, "--recorded-at", "2026-05-01T00:00:00Z"], in: folder.url)
        return folder
    }()

    @Test func everyDayOfATrendEqualsThatDaysDashboard() throws {
        let folder = Self.sampleFolder
        let metrics = ["order_defect_rate", "late_shipment_rate_10d", "late_response_rate", "average_response_hours", "policy_violations"]
        let trend = try HealthLedgerProcess.run(["trend", "--seller", "seller-2", "--metric", metrics.joined(separator: ","),
                                                 "--from", "2026-03-25", "--to", "2026-04-05", "--format", "csv"], in: folder.url)
        #expect(trend.status == 0, "\(trend.stderr)")
        let rows = trend.stdout.split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        #expect(rows.count == metrics.count * 12)
        for date in Set(rows.map { $0[2] }) {
            let dashboard = try HealthLedgerProcess.run(["metrics", "--seller", "seller-2", "--as-of", date, "--format", "csv"], in: folder.url)
            let byMetric = Dictionary(uniqueKeysWithValues: dashboard.stdout.split(separator: "\n").dropFirst().map { line in
                let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                return (fields[2], fields)
            })
            for row in rows where row[2] == date {
                // numerator, denominator, value; status
                let expected = try #require(byMetric[row[1]])
                #expect(Array(row[3...5]) == Array(expected[4...6]), "\(row[1]) \(date)")
                #expect(row[6] == expected[8], "\(row[1]) \(date)")
            }
        }
    }

    @Test func jsonIsSectionFourAndSvgDrawsEachMetricWithItsTarget() throws {
        let folder = Self.sampleFolder
        let json = try HealthLedgerProcess.run(["trend", "--seller", "seller-1", "--metric", "order_defect_rate", "--from", "2026-04-01", "--to", "2026-04-03", "--format", "json"], in: folder.url)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["seller"] as? String == "seller-1")
        #expect(object["metric"] as? String == "order_defect_rate")
        let days = try #require(object["days"] as? [[String: Any]])
        #expect(days.map { $0["date"] as? String } == ["2026-04-01", "2026-04-02", "2026-04-03"])
        #expect(Set(days[0].keys) == ["date", "numerator", "denominator", "value", "status"])
        let svg = try HealthLedgerProcess.run(["trend", "--seller", "seller-1", "--metric", "order_defect_rate,valid_tracking_rate", "--from", "2026-02-01", "--to", "2026-04-30", "--format", "svg"], in: folder.url)
        #expect(svg.stdout.hasPrefix("<svg"))
        #expect(svg.stdout.components(separatedBy: "<polyline").count - 1 >= 2)
        #expect(svg.stdout.contains("target &lt; 1%") && svg.stdout.contains("target &gt; 95%"))
        let unknown = try HealthLedgerProcess.run(["trend", "--seller", "seller-1", "--metric", "odr", "--from", "2026-02-01", "--to", "2026-04-30"], in: folder.url)
        #expect(unknown.status == 2)
    }
}

extension TrendCommandTests {
    @Test func theTableHasADateRowAndAColumnPerMetric() throws {
        let table = try HealthLedgerProcess.run(["trend", "--seller", "seller-1", "--metric", "order_defect_rate,refund_rate", "--from", "2026-04-28", "--to", "2026-04-30"],
                                                in: Self.sampleFolder.url)
        let lines = table.stdout.split(separator: "\n")
        #expect(lines.count == 4)
        #expect(lines[0].split(separator: " ", omittingEmptySubsequences: true) == ["Date", "order_defect_rate", "refund_rate"])
        #expect(lines[3].hasPrefix("2026-04-30") && lines[3].contains("0.55% (4 of 722)"))
    }
}
