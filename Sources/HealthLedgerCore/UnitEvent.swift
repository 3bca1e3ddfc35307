/// What the metrics read of one event: its identity, its valid time and the few fields a unit's
/// facts fold, typed. Small, so that a unit's history is cheap to keep, to store and to fold.
public struct UnitEvent: Sendable, Equatable {
    public let id: String
    public let at: Instant
    public let fact: Fact

    public enum ClaimKind: UInt8, Sendable {
        case aToZ, chargeback
    }

    /// What an order promises when it is placed.
    public struct OrderTerms: Sendable, Equatable {
        public let isMerchantFulfilled: Bool
        public let shipBy: Instant?
        /// Nil: the seller's configured handling days apply.
        public let handlingDays: Int?
        public let deliverBy: Instant?

        public init(isMerchantFulfilled: Bool, shipBy: Instant?, handlingDays: Int?, deliverBy: Instant?) {
            self.isMerchantFulfilled = isMerchantFulfilled
            self.shipBy = shipBy
            self.handlingDays = handlingDays
            self.deliverBy = deliverBy
        }
    }

    public enum Fact: Sendable, Equatable {
        case orderPlaced(OrderTerms)
        case orderShipped(hasTracking: Bool)
        case trackingAdded
        case carrierScan
        case orderDelivered
        case orderCancelled(bySeller: Bool)
        case feedbackPosted(feedback: String, rating: Int, order: String)
        case feedbackRemoved(feedback: String, order: String)
        case claimFiled(claim: String, kind: ClaimKind, order: String)
        case claimReversed(claim: String, order: String)
        case refundIssued
        case surveyAnswered(solved: Bool)
        case buyerMessage(message: String)
        /// `handle_seconds` in microseconds.
        case sellerReply(handleMicroseconds: Int64?)
        case noReplyNeeded
        case threadClosed
        case returnRequested
        case returnHandled
        case returnRejectionInvalid
        case returnFeedback(satisfied: Bool)
        case policyViolation
    }

    public init(id: String, at: Instant, fact: Fact) {
        self.id = id
        self.at = at
        self.fact = fact
    }

    /// The event as a unit of `kind` reads it; nil when no metric of that kind reads it.
    public init?(_ event: some EventFields, for kind: UnitKind) {
        guard let fact = Self.fact(of: event), fact.isRead(by: kind) else { return nil }
        self.init(id: event.id, at: event.at, fact: fact)
    }

    /// Valid-time order: by `at`, then by event id (section 5).
    public static func validTimeOrder(_ lhs: UnitEvent, _ rhs: UnitEvent) -> Bool {
        lhs.at != rhs.at ? lhs.at < rhs.at : lhs.id.precedesInCodePointOrder(rhs.id)
    }

    static func fact(of event: some EventFields) -> Fact? {
        switch event.type {
        case .sellerConfigured: nil
        case .orderPlaced:
            .orderPlaced(OrderTerms(isMerchantFulfilled: event.string("fulfillment") == "merchant", shipBy: event.instant("ship_by"),
                                    handlingDays: event.integer("handling_days"), deliverBy: event.instant("deliver_by")))
        case .orderShipped: .orderShipped(hasTracking: !(event.string("tracking") ?? "").isEmpty)
        case .trackingAdded: .trackingAdded
        case .carrierScan: .carrierScan
        case .orderDelivered: .orderDelivered
        case .orderCancelled: .orderCancelled(bySeller: event.string("by") == "seller")
        case .feedbackPosted: .feedbackPosted(feedback: event.string("feedback")!, rating: event.integer("rating")!, order: event.string("order")!)
        case .feedbackRemoved: .feedbackRemoved(feedback: event.string("feedback")!, order: event.string("order")!)
        case .claimFiled:
            .claimFiled(claim: event.string("claim")!, kind: event.string("kind") == "chargeback" ? .chargeback : .aToZ, order: event.string("order")!)
        case .claimReversed: .claimReversed(claim: event.string("claim")!, order: event.string("order")!)
        case .refundIssued: .refundIssued
        case .surveyAnswered: .surveyAnswered(solved: event.bool("solved")!)
        case .buyerMessage: .buyerMessage(message: event.string("message")!)
        case .sellerReply: .sellerReply(handleMicroseconds: event.micros("handle_seconds"))
        case .noReplyNeeded: .noReplyNeeded
        case .threadClosed: .threadClosed
        case .returnRequested: .returnRequested
        case .returnHandled: .returnHandled
        case .returnRejectionInvalid: .returnRejectionInvalid
        case .returnFeedback: .returnFeedback(satisfied: event.bool("satisfied")!)
        case .policyViolation: .policyViolation
        }
    }
}

extension UnitEvent.Fact {
    /// Whether a unit of `kind` reads this fact: an order reads the buyer messages that name
    /// it, and gets feedback and claims from their keys (`SharedKeys`).
    func isRead(by kind: UnitKind) -> Bool {
        switch self {
        case .orderPlaced, .orderShipped, .trackingAdded, .carrierScan, .orderDelivered, .orderCancelled, .refundIssued, .surveyAnswered:
            kind == .order
        case .feedbackPosted, .feedbackRemoved: kind == .feedback
        case .claimFiled, .claimReversed: kind == .claim
        case .buyerMessage: kind == .order || kind == .thread
        case .sellerReply, .noReplyNeeded, .threadClosed: kind == .thread
        case .returnRequested, .returnHandled, .returnRejectionInvalid, .returnFeedback: kind == .return
        case .policyViolation: kind == .violation
        }
    }
}

/// Feedback and claims are keyed by their own ids (section 5): the latest post of a feedback id,
/// the earliest filing of a claim, names the order it counts for, and a removal or reversal of
/// the id ends it whatever order it names. So every order that an event of such an id names
/// holds all of that id's events, and tells from them whether the deciding one names it.
public enum SharedKeys {
    /// The orders that must hold `events`, the events of one feedback or claim id.
    public static func orders(holding events: [UnitEvent]) -> Set<String> {
        Set(events.compactMap { event in
            switch event.fact {
            case .feedbackPosted(_, _, let order), .feedbackRemoved(_, let order), .claimFiled(_, _, let order), .claimReversed(_, let order): order
            default: nil
            }
        })
    }
}

extension UnitReference {
    /// What each unit whose metrics `event` can change reads of it.
    public static func unitEvents(of event: some EventFields) -> [(unit: UnitReference, event: UnitEvent)] {
        affected(by: event).compactMap { unit in UnitEvent(event, for: unit.kind).map { (unit, $0) } }
    }
}
