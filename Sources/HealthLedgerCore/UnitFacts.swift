/// A unit's events in valid-time order, read a day at a time as the facts advance.
struct EventCursor: Sendable {
    private let events: [UnitEvent]
    private var position = 0

    init(_ events: [UnitEvent]) { self.events = events }

    /// The next event strictly before `end`, if any.
    mutating func next(before end: Instant) -> UnitEvent? {
        guard position < events.count, events[position].at < end else { return nil }
        position += 1
        return events[position - 1]
    }
}

/// A unit's facts as of a day, movable to a later day.
protocol AdvancingFacts {
    var calendar: LocalCalendar { get }
    mutating func advance(to asOf: AsOf)
}

/// Facts folded from a unit's events, one at a time in valid-time order, up to a day's end.
protocol UnitFold: AdvancingFacts {
    var asOf: AsOf { get set }
    var cursor: EventCursor { get set }
    mutating func fold(_ event: UnitEvent)
}

extension UnitFold {
    /// The same unit as of a later day: folds only the events in between.
    mutating func advance(to asOf: AsOf) {
        self.asOf = asOf
        while let event = cursor.next(before: asOf.end) { fold(event) }
    }
}

/// The end of day D: what is known "as of D" is the events with `at` strictly before it.
public struct AsOf: Sendable {
    public let day: Int
    public let end: Instant

    public init(day: Int, calendar: LocalCalendar) {
        self.day = day
        end = calendar.end(of: day)
    }

    /// "Open for over N h as of D": (end of D − start) > N h.
    func isOver(hours: Int64, since start: Instant) -> Bool { end > start.adding(hours: hours) }
}

/// The expected ship date of an order: an explicit `ship_by` is inclusive; a computed date
/// ends at the next local midnight, and a confirmation strictly before it is on time.
public enum ShipDeadline: Sendable, Equatable {
    case explicit(Instant, day: Int)
    case endOf(day: Int, end: Instant)

    public var day: Int {
        switch self {
        case .explicit(_, let day), .endOf(let day, _): day
        }
    }

    public func isMet(by at: Instant) -> Bool {
        switch self {
        case .explicit(let deadline, _): at <= deadline
        case .endOf(_, let end): at < end
        }
    }
}

/// An order as of a day, folded from the set of its events (and of the buyer messages that
/// name it): the same set gives the same facts in any arrival order.
public struct OrderFacts: UnitFold, Sendable {
    public internal(set) var asOf: AsOf
    public let calendar: LocalCalendar
    var cursor: EventCursor
    /// What the first `order_placed` says, worked out when the facts are made, so that they
    /// keep no settings: every core measuring a seller's orders would share their counts.
    private let placement: Placed?
    /// From the first `order_placed`; nil until one is known.
    public private(set) var placed: Placed?
    public private(set) var confirmation: (at: Instant, hasTracking: Bool)?
    public private(set) var trackingAddedAt: [Instant] = []
    public private(set) var hasCarrierScan = false
    public private(set) var firstDeliveryAt: Instant?
    public private(set) var cancellations: [(at: Instant, bySeller: Bool)] = []
    public private(set) var refunded = false
    public private(set) var buyerMessaged = false
    public private(set) var latestSurvey: (at: Instant, solved: Bool)?
    public let order: String
    /// Feedback by id: the rating and order of its latest post.
    private var feedbackPosts: [String: (rating: Int, order: String)] = [:]
    private var removedFeedback = Set<String>()
    /// Claims by id: the kind and order of its earliest filing.
    private var claims: [String: (kind: UnitEvent.ClaimKind, order: String)] = [:]
    private var reversedClaims = Set<String>()
    /// Settled when a feedback or claim event is folded, the only events that change them, rather
    /// than read off the tables above by each of the seven metrics that ask, on every change day.
    public private(set) var hasNegativeFeedbackInForce = false
    /// A bit for each `ClaimKind` in force.
    private var claimKindsInForce: UInt8 = 0

    public struct Placed: Sendable {
        public let at: Instant
        public let day: Int
        public let isMerchantFulfilled: Bool
        public let shipDeadline: ShipDeadline
        public let deliverBy: Instant?

        /// Adds the days on which the order's standing can change without a new event.
        func addDeadlineDays(calendar: LocalCalendar, to days: inout [Int]) {
            days.append(shipDeadline.day)
            if let deliverBy { days.append(calendar.day(of: deliverBy)) }
        }
    }

    /// `events` in valid-time order, those of every feedback and claim id that names the order included.
    public init(order: String, events: [UnitEvent], settings: SellerSettings, asOf: AsOf) {
        self.init(order: order, events: events, placement: Self.firstPlacement(in: events, settings: settings), calendar: settings.calendar, asOf: asOf)
    }

    /// `placement` is `firstPlacement(in: events, settings:)`.
    init(order: String, events: [UnitEvent], placement: Placed?, calendar: LocalCalendar, asOf: AsOf) {
        self.order = order
        self.asOf = asOf
        cursor = EventCursor(events)
        self.calendar = calendar
        self.placement = placement
        advance(to: asOf)
    }

    mutating func fold(_ event: UnitEvent) {
        switch event.fact {
        case .orderPlaced where placed == nil: placed = placement
        case .orderShipped(let hasTracking) where confirmation == nil: confirmation = (event.at, hasTracking)
        case .trackingAdded: trackingAddedAt.append(event.at)
        case .carrierScan: hasCarrierScan = true
        case .orderDelivered where firstDeliveryAt == nil: firstDeliveryAt = event.at
        case .orderCancelled(let bySeller): cancellations.append((event.at, bySeller))
        case .feedbackPosted(let feedback, let rating, let order):
            feedbackPosts[feedback] = (rating, order)
            settleDefects()
        case .feedbackRemoved(let feedback, _):
            removedFeedback.insert(feedback)
            settleDefects()
        case .claimFiled(let claim, let kind, let order) where claims[claim] == nil:
            claims[claim] = (kind, order)
            settleDefects()
        case .claimReversed(let claim, _):
            reversedClaims.insert(claim)
            settleDefects()
        case .refundIssued: refunded = true
        case .buyerMessage: buyerMessaged = true
        case .surveyAnswered(let solved): latestSurvey = (event.at, solved)
        default: break
        }
    }

    private static func placed(at: Instant, _ terms: UnitEvent.OrderTerms, settings: SellerSettings) -> Placed {
        let calendar = settings.calendar
        let day = calendar.day(of: at)
        let deadline: ShipDeadline
        if let shipBy = terms.shipBy {
            deadline = .explicit(shipBy, day: calendar.day(of: shipBy))
        } else {
            let handlingDays = terms.handlingDays ?? settings.handlingDays(forOrderPlacedAt: at)
            let shipDay = LocalCalendar.adding(businessDays: handlingDays, to: day)
            deadline = .endOf(day: shipDay, end: calendar.end(of: shipDay))
        }
        return Placed(at: at, day: day, isMerchantFulfilled: terms.isMerchantFulfilled, shipDeadline: deadline, deliverBy: terms.deliverBy)
    }

    /// The placement of the first `order_placed` of `events`, in valid-time order.
    static func firstPlacement(in events: [UnitEvent], settings: SellerSettings) -> Placed? {
        guard let first = events.first(where: { if case .orderPlaced = $0.fact { true } else { false } }),
              case .orderPlaced(let terms) = first.fact
        else { return nil }
        return placed(at: first.at, terms, settings: settings)
    }

    private mutating func settleDefects() {
        hasNegativeFeedbackInForce = feedbackPosts.contains { $0.value.order == order && $0.value.rating <= 2 && !removedFeedback.contains($0.key) }
        claimKindsInForce = claims.reduce(0) { kinds, claim in
            claim.value.order == order && !reversedClaims.contains(claim.key) ? kinds | 1 << claim.value.kind.rawValue : kinds
        }
    }

    public func hasClaimInForce(kind: UnitEvent.ClaimKind) -> Bool { claimKindsInForce & 1 << kind.rawValue != 0 }

    /// An ODR-family measure: every order (of one fulfillment, or all) on its order day.
    func defectMeasure(merchantFulfilled: Bool?, defective: @autoclosure () -> Bool) -> Measure? {
        guard let placed, merchantFulfilled.map({ $0 == placed.isMerchantFulfilled }) ?? true else { return nil }
        return .rate(day: placed.day, counts: defective())
    }

    public var hasDefectInForce: Bool { hasNegativeFeedbackInForce || hasClaimInForce(kind: .aToZ) || hasClaimInForce(kind: .chargeback) }

    /// Tracking present: the first confirmation carried it, or any was added.
    public var hasTracking: Bool { confirmation?.hasTracking == true || !trackingAddedAt.isEmpty }

    /// Cancelled by the seller strictly before the first confirmation (or, unconfirmed, at all).
    public var isCancelledBySellerBeforeShipping: Bool {
        cancellations.contains { cancellation in
            cancellation.bySeller && (confirmation.map { cancellation.at < $0.at } ?? true)
        }
    }

    public var isCancelledBySeller: Bool { cancellations.contains { $0.bySeller } }

    /// Late shipment as its metric reads it: FBM, expected ship date passed as of the day,
    /// not cancelled at or before it, and no confirmation at or before it.
    public var lateShipment: (day: Int, isLate: Bool)? {
        guard let placed, placed.isMerchantFulfilled, placed.shipDeadline.day <= asOf.day else { return nil }
        let deadline = placed.shipDeadline
        guard !cancellations.contains(where: { deadline.isMet(by: $0.at) }) else { return nil }
        return (deadline.day, !(confirmation.map { deadline.isMet(by: $0.at) } ?? false))
    }
}

/// A message thread as of a day.
public struct ThreadFacts: UnitFold, Sendable {
    public internal(set) var asOf: AsOf
    public let calendar: LocalCalendar
    var cursor: EventCursor
    private var messageIDs = Set<String>()
    /// Unique by message id (the earliest), in valid-time order.
    public private(set) var messages: [UnitEvent] = []
    /// Replies and no-reply marks in the order that settles messages: by `at`, a reply before a
    /// mark at the same instant, then by id.
    public private(set) var settlers: [UnitEvent] = []
    public private(set) var replies: [UnitEvent] = []
    public private(set) var firstClose: UnitEvent?

    public init(events: [UnitEvent], calendar: LocalCalendar, asOf: AsOf) {
        self.asOf = asOf
        self.calendar = calendar
        cursor = EventCursor(events)
        advance(to: asOf)
    }

    mutating func fold(_ event: UnitEvent) {
        switch event.fact {
        case .buyerMessage(let message) where messageIDs.insert(message).inserted: messages.append(event)
        case .sellerReply:
            replies.append(event)
            settle(event)
        case .noReplyNeeded: settle(event)
        case .threadClosed where firstClose == nil: firstClose = event
        default: break
        }
    }

    /// Events arrive by `at`, then id; at one instant a reply still goes before a mark.
    private mutating func settle(_ event: UnitEvent) {
        let position = settlers.lastIndex { $0.at < event.at || ($0.at == event.at && !($0.fact == .noReplyNeeded && event.fact != .noReplyNeeded)) }
        settlers.insert(event, at: position.map { $0 + 1 } ?? 0)
    }

    /// The first reply or no-reply mark at or after `at`, if any as of the day.
    public func settlement(after at: Instant) -> UnitEvent? { settlers.first { $0.at >= at } }

    /// Adds the days on which the thread's standing can change without a new event.
    static func addDeadlineDays(of events: [UnitEvent], calendar: LocalCalendar, to days: inout [Int]) {
        for event in events {
            guard case .buyerMessage = event.fact else { continue }
            days.append(calendar.day(of: event.at.adding(hours: 8)))
            days.append(calendar.day(of: event.at.adding(hours: 24)))
        }
    }
}

/// A return request as of a day.
public struct ReturnFacts: UnitFold, Sendable {
    public internal(set) var asOf: AsOf
    public let calendar: LocalCalendar
    var cursor: EventCursor
    public private(set) var requestedAt: Instant?
    public private(set) var firstHandledAt: Instant?
    public private(set) var rejectionRuledInvalid = false
    public private(set) var latestFeedbackSatisfied: Bool?

    public init(events: [UnitEvent], calendar: LocalCalendar, asOf: AsOf) {
        self.asOf = asOf
        self.calendar = calendar
        cursor = EventCursor(events)
        advance(to: asOf)
    }

    mutating func fold(_ event: UnitEvent) {
        switch event.fact {
        case .returnRequested where requestedAt == nil: requestedAt = event.at
        case .returnHandled where firstHandledAt == nil: firstHandledAt = event.at
        case .returnRejectionInvalid: rejectionRuledInvalid = true
        case .returnFeedback(let satisfied): latestFeedbackSatisfied = satisfied
        default: break
        }
    }

    public static let handlingHours: Int64 = 48

    /// Adds the days on which the return's standing can change without a new event.
    static func addDeadlineDays(of events: [UnitEvent], calendar: LocalCalendar, to days: inout [Int]) {
        for event in events where event.fact == .returnRequested { days.append(calendar.day(of: event.at.adding(hours: handlingHours))) }
    }
}

/// A policy violation as of a day: it counts from its earliest event.
public struct ViolationFacts: AdvancingFacts, Sendable {
    public private(set) var firstAt: Instant?
    public let calendar: LocalCalendar
    private let earliest: Instant?

    public init(events: [UnitEvent], calendar: LocalCalendar, asOf: AsOf) {
        earliest = events.first?.at
        self.calendar = calendar
        advance(to: asOf)
    }

    public mutating func advance(to asOf: AsOf) {
        firstAt = earliest.flatMap { $0 < asOf.end ? $0 : nil }
    }
}
