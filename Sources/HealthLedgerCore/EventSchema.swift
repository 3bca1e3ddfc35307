import Foundation

/// The event types of the contract (section 1).
public enum EventType: String, CaseIterable, Sendable {
    case sellerConfigured = "seller_configured"
    case orderPlaced = "order_placed"
    case orderCancelled = "order_cancelled"
    case orderShipped = "order_shipped"
    case trackingAdded = "tracking_added"
    case carrierScan = "carrier_scan"
    case orderDelivered = "order_delivered"
    case feedbackPosted = "feedback_posted"
    case feedbackRemoved = "feedback_removed"
    case claimFiled = "claim_filed"
    case claimReversed = "claim_reversed"
    case buyerMessage = "buyer_message"
    case sellerReply = "seller_reply"
    case noReplyNeeded = "no_reply_needed"
    case threadClosed = "thread_closed"
    case surveyAnswered = "survey_answered"
    case returnRequested = "return_requested"
    case returnHandled = "return_handled"
    case returnRejectionInvalid = "return_rejection_invalid"
    case returnFeedback = "return_feedback"
    case refundIssued = "refund_issued"
    case policyViolation = "policy_violation"

    /// Each type with the UTF-8 bytes of its raw value.
    private static let utf8Names = allCases.map { (name: Array($0.rawValue.utf8), type: $0) }

    /// The type whose raw value `name` spells, matched on the bytes: a `String` made of them
    /// and matched against every raw value took 3% of a replay's instructions.
    init?(utf8Name name: UnsafeBufferPointer<UInt8>) {
        guard let type = Self.utf8Names.first(where: { $0.name.withUnsafeBufferPointer { $0.hasSameBytes(as: name) } })?.type else { return nil }
        self = type
    }
}

/// What a field's value must be. Each kind maps to one JSON Schema fragment, so the Swift
/// validator and `schemas/` are two renderings of the same table.
public enum FieldKind: Sendable {
    /// Any string whose length in code points is within the range.
    case string(length: ClosedRange<Int>? = nil)
    /// An RFC 3339 timestamp with offset.
    case timestamp
    case integer(ClosedRange<Int>)
    case number(minimum: Double? = nil)
    case boolean
    case oneOf([String])
    /// An IANA time zone identifier known to the toolchain's tz database.
    case timeZone
}

public struct FieldRule: Sendable {
    public let name: String
    public let kind: FieldKind
    public let isRequired: Bool
    public let summary: String

    static func required(_ name: String, _ kind: FieldKind, _ summary: String) -> FieldRule {
        FieldRule(name: name, kind: kind, isRequired: true, summary: summary)
    }

    static func optional(_ name: String, _ kind: FieldKind, _ summary: String) -> FieldRule {
        FieldRule(name: name, kind: kind, isRequired: false, summary: summary)
    }
}

/// The contract's table of event types, as data.
public struct EventSchema: Sendable {
    public let type: EventType
    public let summary: String
    public let fields: [FieldRule]

    public static let envelope: [FieldRule] = [
        .required("id", .string(length: 1...200), "Unique event id; the idempotency key."),
        .required("type", .oneOf(EventType.allCases.map(\.rawValue)), "One of the contract's event types."),
        .required("at", .timestamp, "When it happened in the world (valid time)."),
        .required("seller", .string(length: 1...100), "The account whose health is measured: one seller on one marketplace."),
    ]

    public static let maximumHandlingDays = 30

    public static func of(_ type: EventType) -> EventSchema { all[type]! }

    public static let all: [EventType: EventSchema] = {
        let order = FieldRule.required("order", .string(), "The order id, scoped to the seller.")
        let thread = FieldRule.required("thread", .string(), "The conversation id, scoped to the seller.")
        let returnID = FieldRule.required("return", .string(), "The return id, scoped to the seller.")
        let handlingDays = FieldRule.optional("handling_days", .integer(0...maximumHandlingDays), "Business days from order day to expected ship date.")
        let schemas: [EventSchema] = [
            EventSchema(type: .sellerConfigured, summary: "The seller's configuration; a later one may change everything but the time zone.", fields: [
                .optional("time_zone", .timeZone, "IANA time zone of the seller's days; default UTC; never changes."),
                .optional("channel", .string(), "amazon, ebay, shopify, walmart, …; default amazon."),
                .optional("marketplace", .string(), "For example US."),
                handlingDays,
            ]),
            EventSchema(type: .orderPlaced, summary: "An order was placed.", fields: [
                order,
                .required("fulfillment", .oneOf(["merchant", "marketplace"]), "merchant = seller-fulfilled (FBM), marketplace = FBA."),
                .optional("ship_by", .timestamp, "Expected ship date, inclusive."),
                handlingDays,
                .optional("deliver_by", .timestamp, "Promised delivery date, inclusive."),
            ]),
            EventSchema(type: .orderCancelled, summary: "An order was cancelled.", fields: [
                order,
                .required("by", .oneOf(["seller", "buyer"]), "buyer = through the marketplace's cancel option."),
            ]),
            EventSchema(type: .orderShipped, summary: "Ship confirmation; the first one counts.", fields: [
                order,
                .optional("carrier", .string(), "Carrier name."),
                .optional("tracking", .string(), "Tracking number."),
            ]),
            EventSchema(type: .trackingAdded, summary: "Tracking uploaded after ship confirmation.", fields: [
                order,
                .required("tracking", .string(), "Tracking number."),
                .optional("carrier", .string(), "Carrier name."),
            ]),
            EventSchema(type: .carrierScan, summary: "A physical carrier scan; the first makes tracking valid.", fields: [order]),
            EventSchema(type: .orderDelivered, summary: "Carrier-confirmed delivery.", fields: [order]),
            EventSchema(type: .feedbackPosted, summary: "Buyer feedback; 1–2 is negative.", fields: [
                order,
                .required("feedback", .string(), "The feedback id."),
                .required("rating", .integer(1...5), "1 to 5 stars."),
            ]),
            EventSchema(type: .feedbackRemoved, summary: "Feedback removed or struck through.", fields: [
                order,
                .required("feedback", .string(), "The feedback id."),
            ]),
            EventSchema(type: .claimFiled, summary: "An A-to-z claim or chargeback.", fields: [
                order,
                .required("claim", .string(), "The claim id."),
                .required("kind", .oneOf(["a_to_z", "chargeback"]), "The claim's kind."),
            ]),
            EventSchema(type: .claimReversed, summary: "A claim reversed on appeal.", fields: [
                order,
                .required("claim", .string(), "The claim id."),
            ]),
            EventSchema(type: .buyerMessage, summary: "A buyer's message that needs a reply.", fields: [
                thread,
                .required("message", .string(), "The message id."),
                .optional("order", .string(), "The order it is about."),
            ]),
            EventSchema(type: .sellerReply, summary: "Answers every unanswered buyer message of the thread sent at or before it.", fields: [
                thread,
                .optional("handle_seconds", .number(minimum: 0), "Agent working time in seconds."),
            ]),
            EventSchema(type: .noReplyNeeded, summary: "Marks the thread's unanswered messages as needing no reply.", fields: [thread]),
            EventSchema(type: .threadClosed, summary: "The conversation is resolved.", fields: [thread]),
            EventSchema(type: .surveyAnswered, summary: "\"Did this solve your problem?\"; only the latest answer counts.", fields: [
                order,
                .required("solved", .boolean, "The buyer's answer."),
            ]),
            EventSchema(type: .returnRequested, summary: "A valid return request.", fields: [order, returnID]),
            EventSchema(type: .returnHandled, summary: "The first one stops the 48 h clock.", fields: [
                order, returnID,
                .required("decision", .oneOf(["authorized", "refunded", "closed", "rejected"]), "What the seller decided."),
            ]),
            EventSchema(type: .returnRejectionInvalid, summary: "The marketplace ruled a rejection against its policy.", fields: [order, returnID]),
            EventSchema(type: .returnFeedback, summary: "The buyer's view of the return; the latest counts.", fields: [
                order, returnID,
                .required("satisfied", .boolean, "The buyer's answer."),
            ]),
            EventSchema(type: .refundIssued, summary: "A refund.", fields: [
                order,
                .optional("amount", .number(), "The amount refunded."),
            ]),
            EventSchema(type: .policyViolation, summary: "A policy violation.", fields: [
                .required("violation", .string(), "The violation id."),
                .required("kind", .string(), "Free text."),
                .optional("order", .string(), "The order it concerns."),
            ]),
        ]
        return Dictionary(uniqueKeysWithValues: schemas.map { ($0.type, $0) })
    }()
}

public enum TimeZoneDatabase {
    /// The IANA names (`ops/gen-time-zones`), exact and case-sensitive.
    public static let identifiers: Set<String> = Set(TimeZoneNames.all)
}
