import HealthLedgerCore
import Testing

struct UnitHistoryCodingTests {
    /// One event of every fact, with the optional fields both present and absent.
    static let history: [UnitEvent] = {
        let at = Instant(microseconds: 1_772_000_000_000_000)
        let facts: [UnitEvent.Fact] = [
            .orderPlaced(.init(isMerchantFulfilled: true, shipBy: at.adding(hours: 30), handlingDays: 0, deliverBy: at.adding(hours: 99))),
            .orderPlaced(.init(isMerchantFulfilled: false, shipBy: nil, handlingDays: nil, deliverBy: nil)),
            .orderShipped(hasTracking: true), .orderShipped(hasTracking: false), .trackingAdded, .carrierScan, .orderDelivered,
            .orderCancelled(bySeller: true), .feedbackPosted(feedback: "f-ü", rating: 2, order: "o1"), .feedbackRemoved(feedback: "f-ü", order: "o2"),
            .claimFiled(claim: "c1", kind: .chargeback, order: "o1"), .claimReversed(claim: "c1", order: ""), .refundIssued, .surveyAnswered(solved: false),
            .buyerMessage(message: String(repeating: "m", count: 300)), .sellerReply(handleMicroseconds: 0),
            .sellerReply(handleMicroseconds: nil), .noReplyNeeded, .threadClosed, .returnRequested, .returnHandled,
            .returnRejectionInvalid, .returnFeedback(satisfied: true), .policyViolation,
        ]
        return facts.enumerated().map { UnitEvent(id: "e\($0.offset)", at: at.adding(hours: Int64($0.offset - 5)), fact: $0.element) }
    }()

    @Test func everyFactSurvivesTheRoundTrip() throws {
        let bytes = UnitHistoryCoding.encode(Self.history)
        #expect(try bytes.withUnsafeBytes(UnitHistoryCoding.decode) == Self.history)
    }

    @Test func truncatedOrForeignBytesAreRefused() {
        let bytes = UnitHistoryCoding.encode(Self.history)
        for length in [0, 1, 2, bytes.count / 2, bytes.count - 1] {
            #expect(throws: UnitHistoryCoding.Corrupt.self) { try Array(bytes.prefix(length)).withUnsafeBytes(UnitHistoryCoding.decode) }
        }
        #expect(throws: UnitHistoryCoding.Corrupt.self) { try (bytes + [0]).withUnsafeBytes(UnitHistoryCoding.decode) }
        #expect(throws: UnitHistoryCoding.Corrupt.self) { try ([9] + bytes.dropFirst()).withUnsafeBytes(UnitHistoryCoding.decode) }
    }
}

struct ReplaySnapshotCodingTests {
    /// A seller's fold written and read back gives the same counters, and a truncated
    /// snapshot is refused rather than misread.
    @Test func aSnapshotRestoresTheFoldItWasTakenOf() throws {
        let lines = [
            #"{"id":"c","type":"seller_configured","at":"2026-03-01T00:00:00Z","seller":"s","time_zone":"Europe/Paris"}"#,
            #"{"id":"p","type":"order_placed","at":"2026-03-02T10:00:00Z","seller":"s","order":"o1","fulfillment":"merchant"}"#,
            #"{"id":"f","type":"feedback_posted","at":"2026-03-05T10:00:00Z","seller":"s","order":"o1","feedback":"f1","rating":1}"#,
            #"{"id":"m","type":"buyer_message","at":"2026-03-06T10:00:00Z","seller":"s","thread":"t1","message":"m1","order":"o1"}"#,
        ]
        var replay = ProjectionReplay()
        for line in lines { replay.add(try EventDecoder.decode(Array(line.utf8)).get().event) }
        let snapshot = replay.snapshot(of: "s")
        var restored = ProjectionReplay()
        try snapshot.withUnsafeBytes { try restored.restore($0, seller: "s") }
        #expect(restored.deltas(of: "s").byKey == replay.deltas(of: "s").byKey)
        #expect(restored.settings(of: "s").timeZoneName == "Europe/Paris")
        #expect(restored.eventCount == 4)
        var broken = ProjectionReplay()
        #expect(throws: UnitHistoryCoding.Corrupt.self) { try Array(snapshot.dropLast()).withUnsafeBytes { try broken.restore($0, seller: "s") } }
    }
}
