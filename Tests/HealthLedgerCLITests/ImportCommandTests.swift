import Foundation
import Testing

struct ImportCommandTests {
    static let samples = Repository.root.appendingPathComponent("replay/imports")
    static let recorded = "2026-04-01T00:00:00Z"

    static func configure(_ seller: String, zone: String, marketplace: String, in folder: TemporaryFolder) throws {
        let line = #"{"id":"\#(seller)-configured","type":"seller_configured","at":"2026-01-01T00:00:00Z","seller":"\#(seller)","time_zone":"\#(zone)","marketplace":"\#(marketplace)"}"#
        let result = try HealthLedgerProcess.run(["ingest", "--recorded-at", recorded, "-"], input: Data(line.utf8), in: folder.url)
        try #require(result.status == 0)
    }

    static func reportFiles(_ seller: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: samples.appendingPathComponent(seller).path).sorted()
            .map { samples.appendingPathComponent(seller).appendingPathComponent($0).path }
    }

    static func counts(_ seller: String, asOf: String, in folder: TemporaryFolder) throws -> [String: [Int?]] {
        let result = try HealthLedgerProcess.run(["metrics", "--seller", seller, "--as-of", asOf, "--format", "json"], in: folder.url)
        let dashboard = try MetricsCommandTests.json(result.stdout)
        let metrics = try #require(dashboard["metrics"] as? [String: [String: Any]])
        return metrics.mapValues { [($0["numerator"] as? NSNumber)?.intValue, ($0["denominator"] as? NSNumber)?.intValue] }
    }

    /// Every report of replay/imports/acme-us into one log (Los Angeles). As of 2026-03-31:
    /// - orders 1, 2, 3, 6 are FBM, 4 and 5 FBA; 3 was cancelled by the seller before shipping.
    /// - ODR 2 of 6: order 2's 1-star feedback and order 5's A-to-z claim; order 4's 3 stars are
    ///   not negative and order 6's chargeback was reversed on 03-25. FBM 1 of 4, FBA 1 of 2.
    /// - late shipment (30 d) 1 of 3: order 2 was due 03-05 (its promise) and shipped 03-07;
    ///   orders 1 and 6 shipped in time; order 3 was cancelled before its date.
    /// - valid tracking 2 of 3: orders 1 and 2 have tracking and a scan, order 6 no tracking.
    /// - late response 1 of 2 (T2 waited 48 h, T1 2 h); average response (2 + 48) / 2 h;
    ///   first reply within 8 h 1 of 2; handle time 300 + 600 s over 2 replies.
    /// - return dissatisfaction 1 of 2: DRm1 was approved, DRm6 is pending past 48 h.
    /// - perfect orders 1 of 6: only order 4 (1 and 2 have buyer messages, 2 is late, 3 was
    ///   cancelled by the seller, 5 has a claim, 6 shipped without tracking).
    @Test func theSellersReportsMakeTheHandWorkedDashboard() throws {
        let folder = TemporaryFolder()
        try Self.configure("acme-us", zone: "America/Los_Angeles", marketplace: "US", in: folder)
        let result = try HealthLedgerProcess.run(["import", "auto", "--seller", "acme-us", "--ingest", "--recorded-at", Self.recorded] + Self.reportFiles("acme-us"), in: folder.url)
        #expect(result.status == 1)
        #expect(result.stdout == "rows not converted: 4  appended: 32  duplicates: 0  rejected: 0\n")
        #expect(result.stderr.contains("acme-us/all-orders.txt:9: purchase-date: 'yesterday' is not a date or timestamp this reader knows"))
        let counts = try Self.counts("acme-us", asOf: "2026-03-31", in: folder)
        #expect(counts["order_defect_rate"] == [2, 6])
        #expect(counts["order_defect_rate_fbm"] == [1, 4])
        #expect(counts["order_defect_rate_fba"] == [1, 2])
        #expect(counts["chargeback_rate"] == [0, 6])
        #expect(counts["late_shipment_rate_30d"] == [1, 3])
        #expect(counts["valid_tracking_rate"] == [2, 3])
        #expect(counts["late_response_rate"] == [1, 2])
        #expect(counts["average_response_hours"] == [50, 2])
        #expect(counts["first_reply_within_8h_rate"] == [1, 2])
        #expect(counts["average_handle_seconds"] == [900, 2])
        #expect(counts["return_dissatisfaction_rate"] == [1, 2])
        #expect(counts["perfect_order_percentage"] == [1, 6])
        // Pre-fulfillment cancellation as of 03-08: FBM orders 1, 2, 3 in the 7 days, 3 cancelled.
        #expect(try Self.counts("acme-us", asOf: "2026-03-08", in: folder)["pre_fulfillment_cancel_rate"] == [1, 3])
    }

    @Test func importingTheSameFolderTwiceAppendsNothing() throws {
        let folder = TemporaryFolder()
        let arguments = ["import", "auto", "--seller", "acme-us", "--time-zone", "America/Los_Angeles", "--ingest", "--recorded-at", Self.recorded] + (try Self.reportFiles("acme-us"))
        _ = try HealthLedgerProcess.run(arguments, in: folder.url)
        let again = try HealthLedgerProcess.run(arguments, in: folder.url)
        #expect(again.stdout == "rows not converted: 4  appended: 0  duplicates: 32  rejected: 0\n")
    }

    /// The German feedback file's header is translated and its dates are `%d.%m.%y`: the
    /// marketplace and time zone come from the seller's configuration. Order 1 (FBM) has 2 stars
    /// on 05.03.26, so ODR as of 03-31 is 1 of 2.
    /// A later download in which a row changed: the unchanged row is a duplicate, the changed
    /// one a conflict that names its source line, and the first version stays in the log.
    @Test func aRowChangedSinceTheLastImportIsReportedNotDoubled() throws {
        let folder = TemporaryFolder()
        let monday = try folder.write("monday.csv", "order-id,ship-date\no1,2026-03-02T10:00:00Z\no2,2026-03-02T11:00:00Z\n")
        let tuesday = try folder.write("tuesday.csv", "order-id,ship-date,carrier\no2,2026-03-02T11:00:00Z,\no1,2026-03-03T10:00:00Z,UPS\n")
        let arguments = ["import", "shipments-csv", "--seller", "s", "--ingest", "--recorded-at", Self.recorded]
        #expect(try HealthLedgerProcess.run(arguments + [monday], in: folder.url).status == 0)
        let again = try HealthLedgerProcess.run(arguments + [tuesday], in: folder.url)
        #expect(again.status == 1)
        #expect(again.stdout == "rows not converted: 0  appended: 0  duplicates: 1  rejected: 1\n")
        #expect(again.stderr.hasPrefix("\(tuesday):3: id: conflicting_duplicate_id:"))
        let events = try HealthLedgerProcess.run(["events", "--seller", "s", "--order", "o1"], in: folder.url)
        #expect(events.stdout.contains("2026-03-02T10:00:00Z") && !events.stdout.contains("2026-03-03T10:00:00Z"))
    }

    @Test func aSellersMarketplaceGivesItsDateFormat() throws {
        let folder = TemporaryFolder()
        try Self.configure("acme-de", zone: "Europe/Berlin", marketplace: "DE", in: folder)
        let result = try HealthLedgerProcess.run(["import", "amazon-orders", "--seller", "acme-de", "--ingest", "--recorded-at", Self.recorded,
                                                  Self.samples.appendingPathComponent("acme-de/all-orders.txt").path], in: folder.url)
        #expect(result.status == 0)
        let feedback = try HealthLedgerProcess.run(["import", "amazon-feedback", "--seller", "acme-de", "--ingest", "--recorded-at", Self.recorded,
                                                    Self.samples.appendingPathComponent("acme-de/feedback.txt").path], in: folder.url)
        #expect(feedback.status == 0)
        #expect(try Self.counts("acme-de", asOf: "2026-03-31", in: folder)["order_defect_rate"] == [1, 2])
        let events = try HealthLedgerProcess.run(["events", "--seller", "acme-de", "--order", "302-0000001-0000001"], in: folder.url)
        #expect(events.stdout.contains(#""at":"2026-03-05T00:00:00+01:00""#))
    }

    /// Reports name no seller: without --seller the log's only seller is meant; without a log,
    /// or with several sellers, the command asks for one.
    @Test func withoutASellerTheLogsOnlySellerIsMeant() throws {
        let folder = TemporaryFolder()
        let messages = Self.samples.appendingPathComponent("acme-us/messages.csv").path
        let none = try HealthLedgerProcess.run(["import", "messages-csv", messages], in: folder.url)
        #expect(none.status == 2 && none.stderr == "healthledger: There is no database at healthledger.sqlite.\n")
        try Self.configure("acme-us", zone: "America/Los_Angeles", marketplace: "US", in: folder)
        let one = try HealthLedgerProcess.run(["import", "messages-csv", "--ingest", "--recorded-at", Self.recorded, messages], in: folder.url)
        #expect(one.stdout == "rows not converted: 0  appended: 4  duplicates: 0  rejected: 0\n")
        #expect(try HealthLedgerProcess.run(["events", "--seller", "acme-us", "--thread", "T1"], in: folder.url).stdout.contains("seller_reply"))
        try Self.configure("acme-de", zone: "Europe/Berlin", marketplace: "DE", in: folder)
        let two = try HealthLedgerProcess.run(["import", "messages-csv", messages], in: folder.url)
        #expect(two.status == 2 && two.stderr == "healthledger: name the seller with --seller: the log has 2 sellers\n")
    }

    @Test func withoutIngestTheEventsAreNDJSONThatIngestTakes() throws {
        let folder = TemporaryFolder()
        let converted = try HealthLedgerProcess.run(["import", "messages-csv", "--seller", "acme-us", Self.samples.appendingPathComponent("acme-us/messages.csv").path], in: folder.url)
        #expect(converted.status == 0)
        #expect(converted.stdout.split(separator: "\n").count == 4)
        let ingested = try HealthLedgerProcess.run(["ingest", "--recorded-at", Self.recorded, "-"], input: Data(converted.stdout.utf8), in: folder.url)
        #expect(ingested.stdout == "appended: 4  duplicates: 0  rejected: 0\n")
    }

    @Test func aFileWithoutARequiredColumnStopsTheImportWithNothingWritten() throws {
        let folder = TemporaryFolder()
        let bad = try folder.write("scans.csv", "order-id,carrier\no1,UPS\n")
        let result = try HealthLedgerProcess.run(["import", "carrier-scans-csv", "--seller", "s", "--ingest",
                                                  Self.samples.appendingPathComponent("acme-us/carrier-scans.csv").path, bad], in: folder.url)
        #expect(result.status == 2)
        #expect(result.stderr == "healthledger: \(bad): the header lacks the column 'scan-time' that carrier-scans-csv needs\n")
        #expect(!FileManager.default.fileExists(atPath: folder.path("healthledger.sqlite")))
    }

    /// Amazon's sample report against the imported sample: FBM ODR and valid tracking differ
    /// (Amazon counts 5 FBM orders and 3 valid trackings, our log 4 and 2), the rest matches.
    @Test func reconcileSetsAmazonsNumbersBesideOurs() throws {
        let folder = TemporaryFolder()
        try Self.configure("acme-us", zone: "America/Los_Angeles", marketplace: "US", in: folder)
        _ = try HealthLedgerProcess.run(["import", "auto", "--seller", "acme-us", "--ingest", "--recorded-at", Self.recorded] + Self.reportFiles("acme-us"), in: folder.url)
        let report = Self.samples.appendingPathComponent("amazon-performance-acme-us.json").path
        let table = try HealthLedgerProcess.run(["reconcile", "--seller", "acme-us", "--marketplace-id", "ATVPDKIKX0DER", report], in: folder.url)
        #expect(table.status == 0)
        #expect(table.stdout.contains("Account status: Amazon NORMAL, HealthLedger at_risk"))
        #expect(table.stdout.contains("validTrackingRate differs:\n  - 1 fewer in our numerator: carrier scans (carrier-scans-csv) not imported, or behind"))
        let json = try HealthLedgerProcess.run(["reconcile", "--seller", "acme-us", "--marketplace-id", "ATVPDKIKX0DER", "--format", "json", report], in: folder.url)
        let lines = try #require(try MetricsCommandTests.json(json.stdout)["lines"] as? [[String: Any]])
        #expect(lines.map { $0["metric"] as? String } == ["order_defect_rate_fbm", "order_defect_rate_fba", "late_shipment_rate_10d", "late_shipment_rate_30d",
                                                          "pre_fulfillment_cancel_rate", "valid_tracking_rate", "on_time_delivery_rate"])
        #expect(lines.map { $0["matches"] as? Bool } == [false, true, true, true, true, false, true])
        let ours = try #require(lines[0]["ours"] as? [String: Any])
        #expect(ours["numerator"] as? Int == 1 && ours["denominator"] as? Int == 4)
        let several = try HealthLedgerProcess.run(["reconcile", "--seller", "acme-us", report], in: folder.url)
        #expect(several.status == 2 && several.stderr.contains("name one with --marketplace-id"))
    }

    /// `ops/ingest-amazon` on a folder as a seller downloads it: All Orders at the top (found by
    /// its header), the German feedback in `amazon-feedback/` (its header is translated). Order 1
    /// (FBM) has 2 stars, order 2 (FBA) none: ODR 1 of 2 and FBM ODR 1 of 1 are red; order 1 has
    /// no ship confirmation (no shipments file yet), so late shipment (30 d) is 1 of 1.
    @Test func theCronScriptImportsEachNewFileOnce() throws {
        let folder = TemporaryFolder()
        try Self.configure("acme-de", zone: "Europe/Berlin", marketplace: "DE", in: folder)
        let reports = folder.url.appendingPathComponent("reports")
        try FileManager.default.createDirectory(at: reports.appendingPathComponent("amazon-feedback"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: Self.samples.appendingPathComponent("acme-de/all-orders.txt"), to: reports.appendingPathComponent("orders-2026-03.txt"))
        try FileManager.default.copyItem(at: Self.samples.appendingPathComponent("acme-de/feedback.txt"), to: reports.appendingPathComponent("amazon-feedback/feedback-2026-03.txt"))
        func runScript() throws -> HealthLedgerProcess.Result {
            try HealthLedgerProcess.runScript(Repository.root.appendingPathComponent("ops/ingest-amazon").path,
                                              ["--seller", "acme-de", "--db", folder.path("healthledger.sqlite"), "--as-of", "2026-03-31", reports.path], in: folder.url)
        }
        let first = try runScript()
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout == """
            amazon-feedback/feedback-2026-03.txt (amazon-feedback):
            rows not converted: 0  appended: 1  duplicates: 0  rejected: 0
            orders-2026-03.txt (auto):
            rows not converted: 0  appended: 2  duplicates: 0  rejected: 0
            red metrics of acme-de:
              order_defect_rate: 1 of 2
              order_defect_rate_fbm: 1 of 1
              late_shipment_rate_30d: 1 of 1

            """)
        // The same download saved again under another name is not imported again.
        try FileManager.default.copyItem(at: reports.appendingPathComponent("orders-2026-03.txt"), to: reports.appendingPathComponent("orders-again.txt"))
        let second = try runScript()
        #expect(second.status == 0)
        #expect(second.stdout.hasPrefix("no new report files in \(reports.path)\n"))
    }
}
