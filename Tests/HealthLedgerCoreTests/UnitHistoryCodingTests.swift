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
