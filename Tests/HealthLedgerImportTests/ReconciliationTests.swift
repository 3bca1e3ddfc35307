import Foundation
import HealthLedgerCore
import HealthLedgerImport
import Testing

/// `replay/imports/amazon-performance-acme-us.json` follows the schema accountHealthReport-2020-11-18
/// with the spellings its examples use (`prefulfillmentCancelRate`, `warningState`), counts both
/// as numbers and as `{count, status}`, late shipment both as one metric and as the list that
/// holds it too (each range read once), and a second marketplace.
struct ReconciliationTests {
    static func report(_ marketplace: String? = "ATVPDKIKX0DER") throws -> PerformanceReport {
        let data = try Data(contentsOf: ImporterTests.samples.appendingPathComponent("amazon-performance-acme-us.json"))
        return try PerformanceReport.parse([UInt8](data), marketplaceID: marketplace)
    }

    @Test func everyFigureIsReadWhateverItsSpelling() throws {
        let report = try Self.report()
        #expect(report.accountStatus == "NORMAL")
        #expect(report.figures.map(\.amazonName) == ["orderDefectRate.mfn", "orderDefectRate.afn", "lateShipmentRate", "lateShipmentRate",
                                                     "prefulfillmentCancelRate", "validTrackingRate", "onTimeDeliveryRate"])
        #expect(report.figures.map(\.metricID) == ["order_defect_rate_fbm", "order_defect_rate_fba", "late_shipment_rate_10d", "late_shipment_rate_30d",
                                                   "pre_fulfillment_cancel_rate", "valid_tracking_rate", "on_time_delivery_rate"])
        let mfn = report.figures[0]
        #expect(mfn.numerator == 1 && mfn.denominator == 5 && mfn.rate == 0.2 && mfn.status == "BAD" && mfn.days == 60)
        #expect(report.figures[1].status == "BAD")
        #expect(report.figures[4].numerator == 1 && report.figures[4].denominator == 3 && report.figures[4].to == CivilDate(year: 2026, month: 3, day: 8))
    }

    @Test func aReportOfSeveralMarketplacesNeedsOneNamed() throws {
        #expect(throws: ReportError.self) { try Self.report(nil) }
        #expect(throws: ReportError.self) { try Self.report("A1F83G8C2ARO7P") }
        #expect(try Self.report("A2EUQ1WTGCTBG2").figures.map(\.metricID) == ["order_defect_rate_fbm"])
        #expect(throws: ReportError.self) { try PerformanceReport.parse(Array("{\"performanceMetrics\": ".utf8), marketplaceID: nil) }
    }

    /// Our counts: FBM ODR 1 of 4 (one order fewer than Amazon's 5), valid tracking 2 of 3 (one
    /// scan fewer), everything else as Amazon has it.
    @Test func eachDifferenceNamesItsLikelyCause() throws {
        let ours: [String: Counts] = [
            "order_defect_rate_fbm": Counts(numerator: 1, denominator: 4), "order_defect_rate_fba": Counts(numerator: 1, denominator: 2),
            "late_shipment_rate_30d": Counts(numerator: 1, denominator: 3), "pre_fulfillment_cancel_rate": Counts(numerator: 1, denominator: 3),
            "valid_tracking_rate": Counts(numerator: 2, denominator: 3),
        ]
        var asked: Set<CivilDate> = []
        let reconciliation = try Reconciliation(report: Self.report(), timeZoneName: "UTC") { day in
            asked.insert(day)
            return Dashboard(seller: "acme-us", asOf: day, knownAt: nil, settings: .unconfigured, counts: ours)
        }
        #expect(asked == [CivilDate(year: 2026, month: 3, day: 31), CivilDate(year: 2026, month: 3, day: 8)])
        #expect(reconciliation.lines.map(\.matches) == [false, true, true, true, true, false, true])
        #expect(reconciliation.lines[0].causes == ["1 order missing from our log: the All Orders report (amazon-orders) not imported, or not for the whole range"])
        #expect(reconciliation.lines[5].causes == ["1 fewer in our numerator: carrier scans (carrier-scans-csv) not imported, or behind"])
        #expect(reconciliation.ourStatus == .atRisk)
    }

    @Test func aWindowOffsetAndTheTimeZoneAreNamedWithADifference() throws {
        let json = #"{"performanceMetrics": [{"marketplaceId": "M", "validTrackingRate": {"reportingDateRange": {"reportingDateFrom": "2026-03-01T00:00Z", "reportingDateTo": "2026-03-31T23:59Z"}, "validTrackingCount": 9, "shipmentCount": 10}}]}"#
        let report = try PerformanceReport.parse(Array(json.utf8), marketplaceID: nil)
        let reconciliation = Reconciliation(report: report, timeZoneName: "Europe/Berlin") { day in
            Dashboard(seller: "s", asOf: day, knownAt: nil, settings: .unconfigured, counts: ["valid_tracking_rate": Counts(numerator: 9, denominator: 12)])
        }
        #expect(reconciliation.lines[0].causes == [
            "2 more shipments in our log than Amazon counts: ones Amazon leaves out, or outside its range",
            "window offset: Amazon's range is 31 days (2026-03-01 to 2026-03-31), ours 30",
            "our days end at midnight in Europe/Berlin, Amazon's range is in UTC",
        ])
    }
}
