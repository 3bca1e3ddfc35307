/// One unit's part in a metric as of a day: attributed to `day`, adding `numerator` and
/// `denominator` to the window that holds that day.
public struct Measure: Equatable, Sendable {
    public let day: Int
    public let numerator: Int64
    public let denominator: Int64

    static func rate(day: Int, counts: Bool) -> Measure { Measure(day: day, numerator: counts ? 1 : 0, denominator: 1) }
}

/// A target as the contract writes it, compared exactly: value `<` or `>` a rational
/// threshold, or a count that must be 0.
public struct Target: Sendable, Equatable {
    public enum Comparison: Sendable { case below, above, zero }

    public let text: String
    public let comparison: Comparison
    let threshold: (numerator: Int64, denominator: Int64)

    /// The limit in the metric's own unit (a rate as a fraction), for drawing it.
    public var limit: Double { Double(threshold.numerator) / Double(threshold.denominator) }

    static func below(_ numerator: Int64, per denominator: Int64, _ text: String) -> Target {
        Target(text: text, comparison: .below, threshold: (numerator, denominator))
    }

    static func above(_ numerator: Int64, per denominator: Int64, _ text: String) -> Target {
        Target(text: text, comparison: .above, threshold: (numerator, denominator))
    }

    static let zero = Target(text: "0", comparison: .zero, threshold: (0, 1))

    public static func == (lhs: Target, rhs: Target) -> Bool { lhs.text == rhs.text }
}

public enum MetricStatus: String, Sendable {
    case green, yellow, red, none
}

/// How a metric measures one kind of unit. The facts are folded once per unit and day and
/// shared by every metric of that kind.
enum Measurement: Sendable {
    case order(@Sendable (OrderFacts) -> Measure?)
    case thread(@Sendable (ThreadFacts) -> [Measure])
    case `return`(@Sendable (ReturnFacts) -> Measure?)
    case violation(@Sendable (ViolationFacts) -> Measure?)

    var unitKind: UnitKind {
        switch self {
        case .order: .order
        case .thread: .thread
        case .return: .return
        case .violation: .violation
        }
    }
}

/// Facts a measurement reads in place: a unit's facts hold many collections, and wrapping
/// them in `UnitFacts` for each metric and day would retain and release every one of them.
protocol MeasuredFacts {
    func measure(by measurement: Measurement, _ body: (Measure) -> Void)
}

extension OrderFacts: MeasuredFacts {
    func measure(by measurement: Measurement, _ body: (Measure) -> Void) {
        if case .order(let measure) = measurement, let measure = measure(self) { body(measure) }
    }
}

extension ThreadFacts: MeasuredFacts {
    func measure(by measurement: Measurement, _ body: (Measure) -> Void) {
        if case .thread(let measure) = measurement { measure(self).forEach(body) }
    }
}

extension ReturnFacts: MeasuredFacts {
    func measure(by measurement: Measurement, _ body: (Measure) -> Void) {
        if case .return(let measure) = measurement, let measure = measure(self) { body(measure) }
    }
}

extension UnitFacts: MeasuredFacts {
    func measure(by measurement: Measurement, _ body: (Measure) -> Void) {
        switch self {
        case .order(let facts): facts.measure(by: measurement, body)
        case .thread(let facts): facts.measure(by: measurement, body)
        case .return(let facts): facts.measure(by: measurement, body)
        case .violation(let facts): facts.measure(by: measurement, body)
        }
    }
}

extension ViolationFacts: MeasuredFacts {
    func measure(by measurement: Measurement, _ body: (Measure) -> Void) {
        if case .violation(let measure) = measurement, let measure = measure(self) { body(measure) }
    }
}

/// The facts of one unit as of one day, of whichever kind it is.
enum UnitFacts {
    case order(OrderFacts)
    case thread(ThreadFacts)
    case `return`(ReturnFacts)
    case violation(ViolationFacts)

    /// Nil for a feedback or claim key: no metric counts it.
    init?(unit: UnitReference, events: [UnitEvent], settings: SellerSettings, asOf: AsOf) {
        let calendar = settings.calendar
        switch unit {
        case .feedback, .claim: return nil
        case .order(let order): self = .order(OrderFacts(order: order, events: events, settings: settings, asOf: asOf))
        case .thread: self = .thread(ThreadFacts(events: events, calendar: calendar, asOf: asOf))
        case .return: self = .return(ReturnFacts(events: events, calendar: calendar, asOf: asOf))
        case .violation: self = .violation(ViolationFacts(events: events, calendar: calendar, asOf: asOf))
        }
    }
}

/// What a metric's value is, and so how its integer numerator reads.
public enum ValueKind: Sendable {
    /// numerator / denominator, both counts.
    case rate
    /// An average of durations, the numerator summing microseconds.
    case hours, seconds
    /// `policy_violations`: no denominator, the value is the count.
    case count

    /// The numerator is in units of 1/`numeratorScale` of the value's unit.
    public var numeratorScale: Int64 {
        switch self {
        case .rate, .count: 1
        case .hours: Instant.microsecondsPerHour
        case .seconds: 1_000_000
        }
    }
}

/// A metric of section 3, as data: its formula lives here and nowhere else.
public struct MetricDefinition: Sendable {
    public let id: String
    public let name: String
    public let windowDays: Int
    public let target: Target?
    public let isRedLine: Bool
    public let valueKind: ValueKind
    let measurement: Measurement

    public var unitKind: UnitKind { measurement.unitKind }

    init(_ id: String, _ name: String, window: Int, target: Target?, redLine: Bool = false,
         valueKind: ValueKind = .rate, _ measurement: Measurement) {
        self.id = id
        self.name = name
        windowDays = window
        self.target = target
        isRedLine = redLine
        self.valueKind = valueKind
        self.measurement = measurement
    }
}

/// Every metric of the contract, in the order the dashboard lists them.
public enum MetricCatalog {
    public static let all: [MetricDefinition] = [
        defectRate("order_defect_rate", "Order defect rate") { $0.defectMeasure(merchantFulfilled: nil, defective: $0.hasDefectInForce) },
        defectRate("order_defect_rate_fbm", "Order defect rate (seller-fulfilled)") {
            $0.defectMeasure(merchantFulfilled: true, defective: $0.hasDefectInForce)
        },
        defectRate("order_defect_rate_fba", "Order defect rate (fulfilled by the marketplace)") {
            $0.defectMeasure(merchantFulfilled: false, defective: $0.hasDefectInForce)
        },
        defectRate("negative_feedback_rate", "Negative feedback rate", target: nil) {
            $0.defectMeasure(merchantFulfilled: nil, defective: $0.hasNegativeFeedbackInForce)
        },
        defectRate("a_to_z_claim_rate", "A-to-z claim rate", target: nil) {
            $0.defectMeasure(merchantFulfilled: nil, defective: $0.hasClaimInForce(kind: .aToZ))
        },
        defectRate("chargeback_rate", "Chargeback rate", target: nil) {
            $0.defectMeasure(merchantFulfilled: nil, defective: $0.hasClaimInForce(kind: .chargeback))
        },
        MetricDefinition("pre_fulfillment_cancel_rate", "Pre-fulfillment cancel rate", window: 7,
                         target: .below(25, per: 1000, "< 2.5%"), redLine: true, .order { facts in
            guard let placed = facts.placed, placed.isMerchantFulfilled else { return nil }
            return .rate(day: placed.day, counts: facts.isCancelledBySellerBeforeShipping)
        }),
        lateShipmentRate(window: 10),
        lateShipmentRate(window: 30),
        MetricDefinition("valid_tracking_rate", "Valid tracking rate", window: 30, target: .above(95, per: 100, "> 95%"), .order { facts in
            guard let placed = facts.placed, placed.isMerchantFulfilled, let confirmation = facts.confirmation else { return nil }
            return .rate(day: facts.calendar.day(of: confirmation.at), counts: facts.hasTracking && facts.hasCarrierScan)
        }),
        MetricDefinition("on_time_delivery_rate", "On-time delivery rate", window: 14, target: .above(97, per: 100, "> 97%"), .order { facts in
            guard let placed = facts.placed, placed.isMerchantFulfilled, let deliverBy = placed.deliverBy, facts.hasTracking,
                  facts.calendar.day(of: deliverBy) <= facts.asOf.day
            else { return nil }
            let onTime = facts.confirmation.map { confirmation in
                let trackedWithin48Hours = confirmation.hasTracking || facts.trackingAddedAt.contains { $0 <= confirmation.at.adding(hours: 48) }
                return trackedWithin48Hours && (facts.firstDeliveryAt.map { $0 <= deliverBy } ?? false)
            } ?? false
            return .rate(day: facts.calendar.day(of: deliverBy), counts: onTime)
        }),
        MetricDefinition("late_response_rate", "Late response rate", window: 90, target: .below(10, per: 100, "< 10%"), .thread { facts in
            facts.messages.compactMap { message in
                let day = facts.calendar.day(of: message.at)
                let deadline = message.at.adding(hours: 24)
                guard let settlement = facts.settlement(after: message.at) else {
                    return facts.asOf.isOver(hours: 24, since: message.at) ? .rate(day: day, counts: true) : nil
                }
                let late = settlement.at > deadline
                if settlement.fact == .noReplyNeeded, !late { return nil }
                return .rate(day: day, counts: late)
            }
        }),
        MetricDefinition("average_response_hours", "Average response time (hours)", window: 90, target: .below(24, per: 1, "< 24"),
                         valueKind: .hours, .thread { facts in
            facts.messages.compactMap { message in
                guard let settlement = facts.settlement(after: message.at), settlement.fact != .noReplyNeeded else { return nil }
                return Measure(day: facts.calendar.day(of: message.at), numerator: settlement.at.microseconds - message.at.microseconds, denominator: 1)
            }
        }),
        MetricDefinition("first_reply_within_8h_rate", "First reply within 8 hours", window: 90, target: .above(90, per: 100, "> 90%"), .thread { facts in
            guard let first = facts.messages.first else { return [] }
            let day = facts.calendar.day(of: first.at)
            let deadline = first.at.adding(hours: 8)
            guard let settlement = facts.settlement(after: first.at) else {
                return facts.asOf.isOver(hours: 8, since: first.at) ? [.rate(day: day, counts: false)] : []
            }
            if settlement.fact == .noReplyNeeded {
                return settlement.at > deadline ? [.rate(day: day, counts: false)] : []
            }
            return [.rate(day: day, counts: settlement.at <= deadline)]
        }),
        MetricDefinition("first_contact_resolution_rate", "First-contact resolution rate", window: 90, target: .above(70, per: 100, "> 70%"), .thread { facts in
            guard let close = facts.firstClose else { return [] }
            let repliesBefore = facts.replies.count { $0.at < close.at }
            return repliesBefore == 0 ? [] : [.rate(day: facts.calendar.day(of: close.at), counts: repliesBefore == 1)]
        }),
        MetricDefinition("average_handle_seconds", "Average handle time (seconds)", window: 90, target: nil,
                         valueKind: .seconds, .thread { facts in
            facts.replies.compactMap { reply in
                guard case .sellerReply(let handleMicroseconds?) = reply.fact else { return nil }
                return Measure(day: facts.calendar.day(of: reply.at), numerator: handleMicroseconds, denominator: 1)
            }
        }),
        MetricDefinition("customer_service_dissatisfaction_rate", "Customer service dissatisfaction rate", window: 60,
                         target: .below(25, per: 100, "< 25%"), .order { facts in
            facts.latestSurvey.map { .rate(day: facts.calendar.day(of: $0.at), counts: !$0.solved) }
        }),
        MetricDefinition("return_dissatisfaction_rate", "Return dissatisfaction rate", window: 60, target: .below(10, per: 100, "< 10%"), .return { facts in
            guard let requested = facts.requestedAt else { return nil }
            let clockRanOut = facts.asOf.isOver(hours: ReturnFacts.handlingHours, since: requested)
            guard clockRanOut || facts.firstHandledAt != nil else { return nil }
            let handledLate = facts.firstHandledAt.map { $0 > requested.adding(hours: ReturnFacts.handlingHours) } ?? clockRanOut
            let dissatisfied = facts.latestFeedbackSatisfied == false || handledLate || facts.rejectionRuledInvalid
            return .rate(day: facts.calendar.day(of: requested), counts: dissatisfied)
        }),
        MetricDefinition("perfect_order_percentage", "Perfect order percentage", window: 90, target: .above(95, per: 100, "> 95%"), .order { facts in
            guard let placed = facts.placed else { return nil }
            let confirmedWithoutTracking = placed.isMerchantFulfilled && facts.confirmation?.hasTracking == false
            let imperfect = facts.hasDefectInForce || facts.isCancelledBySeller || facts.lateShipment?.isLate == true
                || facts.refunded || facts.buyerMessaged || confirmedWithoutTracking
            return .rate(day: placed.day, counts: !imperfect)
        }),
        MetricDefinition("refund_rate", "Refund rate", window: 90, target: nil, .order { facts in
            facts.placed.map { .rate(day: $0.day, counts: facts.refunded) }
        }),
        MetricDefinition("policy_violations", "Policy violations", window: 180, target: .zero, redLine: true, valueKind: .count, .violation { facts in
            facts.firstAt.map { Measure(day: facts.calendar.day(of: $0), numerator: 1, denominator: 0) }
        }),
    ]

    public static let byID: [String: MetricDefinition] = Dictionary(uniqueKeysWithValues: all.map { ($0.id, $0) })

    /// The ODR family, over 60 days. Each measure is a closure that captures nothing: the cores
    /// measuring orders at once would otherwise share the count of references of its captures,
    /// which every call of a measure increments and decrements.
    private static func defectRate(_ id: String, _ name: String, target: Target? = .below(1, per: 100, "< 1%"),
                                   _ measure: @escaping @Sendable (OrderFacts) -> Measure?) -> MetricDefinition {
        MetricDefinition(id, name, window: 60, target: target, redLine: target != nil, .order(measure))
    }

    private static func lateShipmentRate(window: Int) -> MetricDefinition {
        MetricDefinition("late_shipment_rate_\(window)d", "Late shipment rate (\(window) days)", window: window,
                         target: .below(4, per: 100, "< 4%"), redLine: true, .order { facts in
            facts.lateShipment.map { .rate(day: $0.day, counts: $0.isLate) }
        })
    }
}
