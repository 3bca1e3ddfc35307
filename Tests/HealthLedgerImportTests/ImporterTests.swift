import Foundation
import HealthLedgerImport
import Testing

/// The sample report files of `replay/imports/`: Amazon's published headers (one with an added
/// column, one file per marketplace format), generic CSVs with reordered and extra columns, and
/// one bad row in several of them.
struct ImporterTests {
    static let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("replay/imports")

    static func table(_ path: String, _ format: ImportFormat) throws -> DelimitedTable {
        let data = try Data(contentsOf: samples.appendingPathComponent(path))
        return DelimitedTable(bytes: [UInt8](data), dialect: format.dialect)
    }

    static func convert(_ path: String, _ name: String, seller: String = "acme-us", zone: String = "America/Los_Angeles",
                        marketplace: String = "US") throws -> (events: [ImportedEvent], rejected: [RejectedRow]) {
        let format = try #require(ImportFormat.named(name))
        var importer = Importer(seller: seller, times: ReportTimeReader(timeZone: TimeZone(identifier: zone)!, dateOrder: DateOrder(marketplace: marketplace)!))
        return try importer.convert(table(path, format), as: format, file: path)
    }

    static func object(_ event: ImportedEvent) throws -> [String: AnyHashable] {
        try #require(try JSONSerialization.jsonObject(with: Data(event.json.utf8)) as? [String: AnyHashable])
    }

    /// Eight rows: order 1 has two items (one order_placed), order 3 is cancelled (by the seller:
    /// the file does not say the buyer asked), row 9 has no purchase date it can read.
    @Test func allOrdersGiveOneOrderPerOrderAndTheCancellations() throws {
        let (events, rejected) = try Self.convert("acme-us/all-orders.txt", "amazon-orders")
        #expect(rejected.map(\.description) == ["acme-us/all-orders.txt:9: purchase-date: 'yesterday' is not a date or timestamp this reader knows"])
        #expect(events.map(\.line) == [2, 4, 5, 5, 6, 7, 8])
        let cancellation = try Self.object(events[3])
        #expect(cancellation == ["id": "amazon-orders:acme-us:order_cancelled:111-0000003-0000003", "type": "order_cancelled",
                                 "at": "2026-03-04T12:00:00-08:00", "seller": "acme-us", "order": "111-0000003-0000003", "by": "seller"])
        #expect(try events.map { try Self.object($0)["fulfillment"] } == ["merchant", "merchant", "merchant", nil, "marketplace", "marketplace", "merchant"])
    }

    @Test func promisesCarryShipByAndDeliverByAndDefineTheOrder() throws {
        let (events, rejected) = try Self.convert("acme-us/order-promises.txt", "amazon-order-promises")
        #expect(rejected.isEmpty)
        let first = try Self.object(events[0])
        #expect(first["ship_by"] as? String == "2026-03-04T23:59:59-08:00" && first["deliver_by"] as? String == "2026-03-09T23:59:59-08:00")
        #expect(try Self.object(events[1])["deliver_by"] == nil)
        // Of two order_placed at the same time the first by id defines the order (section 5):
        // the one with the promises.
        let allOrders = try Self.convert("acme-us/all-orders.txt", "amazon-orders").events[0]
        #expect(first["at"] == (try Self.object(allOrders)["at"]))
        #expect(events[0].id < allOrders.id)
    }

    @Test func fbaShipmentsGiveTheOrderAndItsShipment() throws {
        let (events, _) = try Self.convert("acme-us/fba-shipments.txt", "amazon-fba-shipments")
        #expect(events.map(\.id) == [
            "amazon-fba-shipments:acme-us:order_placed:111-0000004-0000004", "amazon-fba-shipments:acme-us:order_shipped:111-0000004-0000004/DkX1",
            "amazon-fba-shipments:acme-us:order_placed:111-0000005-0000005", "amazon-fba-shipments:acme-us:order_shipped:111-0000005-0000005/DkX2",
        ])
        #expect(try Self.object(events[1])["tracking"] as? String == "TBA000000004")
    }

    @Test func translatedFeedbackHeadersAreReadByPosition() throws {
        let german = try Self.convert("acme-de/feedback.txt", "amazon-feedback", seller: "acme-de", zone: "Europe/Berlin", marketplace: "DE")
        #expect(german.events.map(\.json) == [#"{"at":"2026-03-05T00:00:00+01:00","feedback":"302-0000001-0000001","id":"amazon-feedback:acme-de:feedback_posted:302-0000001-0000001","order":"302-0000001-0000001","rating":2,"seller":"acme-de","type":"feedback_posted"}"#])
        let japanese = try Self.convert("acme-jp/feedback.txt", "amazon-feedback", seller: "acme-jp", zone: "Asia/Tokyo", marketplace: "JP")
        #expect(try japanese.events.map { try Self.object($0)["at"] } == ["2026-03-07T00:00:00+09:00"])
        let english = try Self.convert("acme-us/feedback.txt", "amazon-feedback")
        #expect(english.rejected.map(\.description) == ["acme-us/feedback.txt:4: rating: 'six' is not a whole number from 1 to 5"])
        #expect(try english.events.map { try Self.object($0)["rating"] as? Int } == [1, 3])
    }

    /// DRm1 was approved (handled when requested); DRm6 is pending, so it has no handling.
    @Test func returnsAreHandledWhenAlreadyDecided() throws {
        let (events, _) = try Self.convert("acme-us/returns.txt", "amazon-returns")
        #expect(events.map(\.id) == ["amazon-returns:acme-us:return_requested:DRm1", "amazon-returns:acme-us:return_handled:DRm1",
                                     "amazon-returns:acme-us:return_requested:DRm6"])
        #expect(try Self.object(events[1])["decision"] as? String == "authorized")
    }

    @Test func genericCSVsMapColumnsByNameWhateverTheirOrder() throws {
        let scans = try Self.convert("acme-us/carrier-scans.csv", "carrier-scans-csv")
        #expect(try scans.events.map { try Self.object($0)["at"] } == ["2026-03-03T18:00:00-08:00", "2026-03-08T07:00:00-08:00"])
        let shipments = try Self.convert("acme-us/shipments.csv", "shipments-csv")
        #expect(shipments.rejected.map(\.description) == ["acme-us/shipments.csv:5: order-id: is empty"])
        #expect(try shipments.events.map { try Self.object($0)["tracking"] } == ["1Z999AA10000000001", "9400100000000000000002", nil])
        let claims = try Self.convert("acme-us/claims.csv", "claims-csv")
        #expect(claims.events.map(\.id) == ["claims-csv:acme-us:claim_filed:AZ-5", "claims-csv:acme-us:claim_filed:CB-6", "claims-csv:acme-us:claim_reversed:CB-6"])
        #expect(claims.rejected.map(\.description) == ["acme-us/claims.csv:4: kind: 'refund request' is not a claim kind: a_to_z or chargeback"])
        let messages = try Self.convert("acme-us/messages.csv", "messages-csv")
        #expect(try messages.events.map { try Self.object($0)["type"] } == ["buyer_message", "seller_reply", "buyer_message", "seller_reply"])
        #expect(try Self.object(messages.events[3])["handle_seconds"] as? Int == 600)
    }

    @Test func aMissingRequiredColumnIsOneError() throws {
        let format = try #require(ImportFormat.named("shipments-csv"))
        let table = DelimitedTable(bytes: Array("order-id,carrier\no1,UPS\n".utf8), dialect: .commaSeparated)
        var importer = Importer(seller: "s", times: ReportTimeReader(timeZone: TimeZone(identifier: "UTC")!, dateOrder: .monthDayYear))
        let error = #expect(throws: MissingColumns.self) { try importer.convert(table, as: format, file: "f.csv") }
        #expect(error?.description == "the header lacks the column 'ship-date' that shipments-csv needs")
    }

    /// The same row in two downloads is one event; a row that changed is reported, and the
    /// first version kept.
    @Test func aRepeatedRowIsOneEventAndAChangedRowIsReported() throws {
        let format = try #require(ImportFormat.named("shipments-csv"))
        var importer = Importer(seller: "s", times: ReportTimeReader(timeZone: TimeZone(identifier: "UTC")!, dateOrder: .monthDayYear))
        let monday = DelimitedTable(bytes: Array("order-id,ship-date\no1,2026-03-02T10:00:00Z\no2,2026-03-02T11:00:00Z\n".utf8), dialect: .commaSeparated)
        let tuesday = DelimitedTable(bytes: Array("order-id,ship-date\no2,2026-03-02T11:00:00Z\no1,2026-03-03T10:00:00Z\n".utf8), dialect: .commaSeparated)
        #expect(try importer.convert(monday, as: format, file: "monday.csv").events.count == 2)
        let again = try importer.convert(tuesday, as: format, file: "tuesday.csv")
        #expect(again.events.isEmpty)
        #expect(again.rejected.map(\.description) == ["tuesday.csv:3: row: changes the event shipments-csv:s:order_shipped:o1 that monday.csv:2 gave; the first is kept"])
    }

    @Test func aFormatIsKnownByItsHeader() {
        #expect(Importer.detect(header: ["amazon-order-id", "purchase-date", "order-status", "fulfillment-channel", "sku"])?.name == "amazon-orders")
        #expect(Importer.detect(header: ["Order ID", "Return request date", "Amazon RMA ID"])?.name == "amazon-returns")
        #expect(Importer.detect(header: ["tracking-number", "order-id", "scan-time"])?.name == "carrier-scans-csv")
        #expect(Importer.detect(header: ["Datum", "Bewertung"]) == nil)
    }
}

struct ImportFormatDocumentTests {
    @Test func theCommittedDocumentIsTheRenderingOfTheFormats() throws {
        let committed = try String(contentsOf: ImporterTests.samples.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("schemas/\(ImportFormatDocument.fileName)"), encoding: .utf8)
        #expect(committed == ImportFormatDocument.markdown, "schemas/\(ImportFormatDocument.fileName) is stale: run `healthledger schema --out schemas`")
        for format in ImportFormat.all { #expect(committed.contains("## `\(format.name)`")) }
    }
}
