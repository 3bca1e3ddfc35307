import Foundation
import Testing

/// `forecast` reads what the daily deltas already say about the days after D; evaluating
/// those days with no new events must give the same values.
struct ForecastCommandTests {
    private func json(_ result: HealthLedgerProcess.Result) throws -> [String: Any] {
        #expect(result.status == 0, "\(result.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    }

    @Test func predictedValuesAreWhatThoseDaysShow() throws {
        let folder = TrendCommandTests.sampleFolder
        let forecast = try json(HealthLedgerProcess.run(["forecast", "--seller", "seller-3", "--as-of", "2026-04-30", "--changes", "3", "--format", "json"], in: folder.url))
        let metrics = try #require(forecast["metrics"] as? [String: [String: Any]])
        #expect(metrics.count == 21)
        var checked = 0
        for id in ["order_defect_rate", "late_shipment_rate_10d", "late_response_rate", "return_dissatisfaction_rate"] {
            for change in try #require(metrics[id]?["changes"] as? [[String: Any]]) {
                let date = try #require(change["date"] as? String)
                let dashboard = try json(HealthLedgerProcess.run(["metrics", "--seller", "seller-3", "--as-of", date, "--format", "json"], in: folder.url))
                let reading = try #require((dashboard["metrics"] as? [String: [String: Any]])?[id])
                #expect(reading["numerator"] as? Int == change["numerator"] as? Int, "\(id) \(date)")
                #expect(reading["denominator"] as? Int == change["denominator"] as? Int, "\(id) \(date)")
                #expect(reading["status"] as? String == change["status"] as? String, "\(id) \(date)")
                checked += 1
            }
        }
        #expect(checked >= 8)
    }

    /// o1 (FBA, 01-01) got 1-star feedback, o2 (01-10) is clean: ODR 1 of 2, red, until o1
    /// leaves the 60-day window after 03-01; from 03-02 it is 0 of 1, green. With two clean
    /// orders and none defective, 1% of 2 allows no defect: headroom 0.
    @Test func aRedMetricTurnsGreenWhenItsDefectAgesOutAndAGreenOneHasHeadroom() throws {
        let folder = TemporaryFolder()
        try folder.write("events.ndjson", """
            {"id":"1","type":"order_placed","at":"2026-01-01T10:00:00Z","seller":"s","order":"o1","fulfillment":"marketplace"}
            {"id":"2","type":"order_placed","at":"2026-01-10T10:00:00Z","seller":"s","order":"o2","fulfillment":"marketplace"}
            {"id":"3","type":"feedback_posted","at":"2026-01-12T10:00:00Z","seller":"s","order":"o1","feedback":"f1","rating":1}
            {"id":"4","type":"order_placed","at":"2026-01-10T10:00:00Z","seller":"t","order":"o1","fulfillment":"marketplace"}
            {"id":"5","type":"order_placed","at":"2026-01-11T10:00:00Z","seller":"t","order":"o2","fulfillment":"marketplace"}
            """)
        #expect(try HealthLedgerProcess.run(["ingest", "events.ndjson", "--recorded-at", "2026-03-01T00:00:00Z"], in: folder.url).status == 0)
        let red = try json(HealthLedgerProcess.run(["forecast", "--seller", "s", "--as-of", "2026-01-20", "--format", "json"], in: folder.url))
        let odr = try #require((red["metrics"] as? [String: [String: Any]])?["order_defect_rate"])
        #expect((odr["now"] as? [String: Any])?["status"] as? String == "red")
        #expect(odr["green_again"] as? String == "2026-03-02")
        #expect(odr["headroom"] is NSNull)
        let before = try json(HealthLedgerProcess.run(["metrics", "--seller", "s", "--as-of", "2026-03-01", "--format", "json"], in: folder.url))
        let after = try json(HealthLedgerProcess.run(["metrics", "--seller", "s", "--as-of", "2026-03-02", "--format", "json"], in: folder.url))
        #expect(((before["metrics"] as? [String: [String: Any]])?["order_defect_rate"]?["status"] as? String) == "red")
        #expect(((after["metrics"] as? [String: [String: Any]])?["order_defect_rate"]?["status"] as? String) == "green")
        let green = try json(HealthLedgerProcess.run(["forecast", "--seller", "t", "--as-of", "2026-01-20", "--format", "json"], in: folder.url))
        #expect((green["metrics"] as? [String: [String: Any]])?["order_defect_rate"]?["headroom"] as? Int == 0)
    }
}
