import Foundation
import HealthLedgerCore

/// Writes realistic contract events, the same for the same parameters: sellers in several
/// time zones, FBM and FBA orders with weekday rhythms, shipping delays, feedback, claims,
/// messages, surveys, returns and refunds at rates near real sellers', plus late-arriving
/// (out-of-order) events and exact duplicates.
public struct EventGenerator {
    public struct Parameters: Sendable {
        public var sellers: Int
        public var days: Int
        public var ordersPerDay: Int
        public var seed: UInt64
        /// The share of events that arrive days after the others of their day.
        public var lateFraction: Double
        /// The share of events written twice.
        public var duplicateFraction: Double
        public var firstDay: CivilDate

        public init(sellers: Int, days: Int, ordersPerDay: Int, seed: UInt64, lateFraction: Double = 0.05,
                    duplicateFraction: Double = 0.003, firstDay: CivilDate = CivilDate(year: 2026, month: 1, day: 1)) {
            self.sellers = sellers
            self.days = days
            self.ordersPerDay = ordersPerDay
            self.seed = seed
            self.lateFraction = lateFraction
            self.duplicateFraction = duplicateFraction
            self.firstDay = firstDay
        }
    }

    static let timeZones = ["America/Los_Angeles", "America/New_York", "Europe/Berlin", "UTC", "Asia/Tokyo", "Australia/Sydney"]
    static let carriers = ["UPS", "USPS", "FedEx", "DHL"]

    private let parameters: Parameters
    private var random: SplitMix64
    private var sellers: [SellerProfile] = []
    private var buckets: [Int: DayBucket] = [:]
    private var nextEventNumber = 0
    private var ordersPlaced: [String: Int] = [:]
    private var currentDay = -1

    public init(_ parameters: Parameters) {
        self.parameters = parameters
        random = SplitMix64(seed: parameters.seed)
    }

    /// Calls `write` with each NDJSON line, day by day, in arrival order.
    public mutating func run(_ write: (String) throws -> Void) rethrows {
        sellers = (0..<parameters.sellers).map { index in
            SellerProfile(id: "seller-\(index + 1)", timeZone: TimeZone(identifier: Self.timeZones[index % Self.timeZones.count])!,
                          handlingDays: 1 + index % 3, fbmShare: [0.7, 0.4, 1.0, 0.0][index % 4], quality: 0.6 + 0.2 * Double(index % 3))
        }
        for seller in sellers {
            let at = seller.instant(day: parameters.firstDay.adding(days: -1), hour: 9)
            emit(at, seller, "seller_configured", #""time_zone":"\#(seller.timeZone.identifier)","channel":"amazon","marketplace":"US","handling_days":\#(seller.handlingDays)"#)
        }
        let lastDay = parameters.days - 1
        for dayIndex in -1...lastDay {
            currentDay = dayIndex
            if dayIndex >= 0 {
                let day = parameters.firstDay.adding(days: dayIndex)
                for seller in sellers { generateOrders(of: seller, on: day) }
            }
            try flush(dayIndex, write)
        }
        // Late events that would only have arrived after the last day.
        for dayIndex in buckets.keys.sorted() { try flush(dayIndex, write) }
    }

    private mutating func flush(_ dayIndex: Int, _ write: (String) throws -> Void) rethrows {
        guard let bucket = buckets.removeValue(forKey: dayIndex) else { return }
        for line in bucket.onTime.sorted(by: { $0.at < $1.at }).map(\.line) + bucket.late { try write(line) }
    }

    private mutating func generateOrders(of seller: SellerProfile, on day: CivilDate) {
        let weekday = (day.daysSinceEpoch + 4) % 7 // 0 = Sunday
        let rhythm = weekday == 0 || weekday == 6 ? 0.8 : 1.05
        let count = max(0, Int((Double(parameters.ordersPerDay) * rhythm * (0.8 + 0.4 * random.unit())).rounded()))
        for _ in 0..<count { generateOrder(of: seller, on: day) }
    }

    private mutating func generateOrder(of seller: SellerProfile, on day: CivilDate) {
        let orderNumber = ordersPlaced[seller.id, default: 0] + 1
        ordersPlaced[seller.id] = orderNumber
        let order = "\(seller.id)-o\(orderNumber)"
        let placed = seller.instant(day: day, hour: 6 + 16 * random.unit())
        let fbm = random.unit() < seller.fbmShare
        let bad = 1 - seller.quality
        let handlingHours = Double(seller.handlingDays) * 24
        var fields = #""order":"\#(order)","fulfillment":"\#(fbm ? "merchant" : "marketplace")""#
        let deliverBy = placed.adding(hours: Int64(handlingHours) + 24 * Int64(3 + random.below(4)))
        if fbm, random.unit() < 0.7 { fields += #","deliver_by":"\#(seller.format(deliverBy))""# }
        emit(placed, seller, "order_placed", fields)

        if random.unit() < 0.01 {
            emit(placed.adding(hours: 1 + Int64(random.below(20))), seller, "order_cancelled", #""order":"\#(order)","by":"buyer""#)
            return
        }
        if fbm, random.unit() < 0.012 * bad * 2 {
            emit(placed.adding(hours: 2 + Int64(random.below(30))), seller, "order_cancelled", #""order":"\#(order)","by":"seller""#)
            return
        }
        let lateShipment = fbm && random.unit() < 0.04 * bad * 2
        let shipHours = lateShipment ? handlingHours + 24 + 48 * random.unit() : handlingHours * 0.8 * random.unit() + 1
        let shipped = placed.adding(hours: Int64(shipHours))
        let carrier = Self.carriers[random.below(Self.carriers.count)]
        let tracking = "\(carrier.prefix(1))\(orderNumber)"
        let trackedAtShipment = !fbm || random.unit() > 0.06 * bad * 2
        emit(shipped, seller, "order_shipped", #""order":"\#(order)","carrier":"\#(carrier)""# + (trackedAtShipment ? #","tracking":"\#(tracking)""# : ""))
        if !trackedAtShipment, random.unit() < 0.6 {
            emit(shipped.adding(hours: 2 + Int64(random.below(90))), seller, "tracking_added", #""order":"\#(order)","tracking":"\#(tracking)""#)
        }
        if random.unit() < 0.97 { emit(shipped.adding(hours: 2 + Int64(random.below(10))), seller, "carrier_scan", #""order":"\#(order)""#) }
        let delivered = shipped.adding(hours: 24 + Int64(random.below(lateShipment ? 140 : 90)))
        emit(delivered, seller, "order_delivered", #""order":"\#(order)""#)

        generateFeedbackAndClaims(seller, order, orderNumber, delivered, bad)
        if random.unit() < 0.08 { generateThread(seller, order, orderNumber, placed, bad) }
        if random.unit() < 0.04 { generateReturn(seller, order, orderNumber, delivered, bad) }
        if random.unit() < 0.0004 {
            emit(delivered.adding(hours: 48), seller, "policy_violation", #""violation":"v\#(orderNumber)","kind":"listing policy","order":"\#(order)""#)
        }
    }

    private mutating func generateFeedbackAndClaims(_ seller: SellerProfile, _ order: String, _ number: Int, _ delivered: Instant, _ bad: Double) {
        if random.unit() < 0.08 {
            let negative = random.unit() < 0.08 * bad * 2
            let rating = negative ? 1 + random.below(2) : 3 + random.below(3)
            let posted = delivered.adding(hours: 24 * Int64(1 + random.below(25)))
            emit(posted, seller, "feedback_posted", #""order":"\#(order)","feedback":"f\#(number)","rating":\#(rating)"#)
            if negative, random.unit() < 0.2 {
                emit(posted.adding(hours: 24 * Int64(2 + random.below(20))), seller, "feedback_removed", #""order":"\#(order)","feedback":"f\#(number)""#)
            }
        }
        if random.unit() < 0.004 * bad * 2 {
            let kind = random.unit() < 0.7 ? "a_to_z" : "chargeback"
            let filed = delivered.adding(hours: 24 * Int64(5 + random.below(30)))
            emit(filed, seller, "claim_filed", #""order":"\#(order)","claim":"c\#(number)","kind":"\#(kind)""#)
            if random.unit() < 0.1 {
                emit(filed.adding(hours: 24 * Int64(3 + random.below(20))), seller, "claim_reversed", #""order":"\#(order)","claim":"c\#(number)""#)
            }
        }
    }

    private mutating func generateThread(_ seller: SellerProfile, _ order: String, _ number: Int, _ placed: Instant, _ bad: Double) {
        let thread = "t\(number)"
        var at = placed.adding(hours: 2 + Int64(random.below(72)))
        for message in 0..<(1 + random.below(3)) {
            emit(at, seller, "buyer_message", #""thread":"\#(thread)","message":"m\#(number)-\#(message)","order":"\#(order)""#)
            if random.unit() < 0.05 {
                emit(at.adding(hours: 1), seller, "no_reply_needed", #""thread":"\#(thread)""#)
                return
            }
            let late = random.unit() < 0.08 * bad * 2
            at = at.adding(hours: late ? 25 + Int64(random.below(48)) : Int64(random.below(20)))
            emit(at, seller, "seller_reply", #""thread":"\#(thread)","handle_seconds":\#(60 + random.below(900))"#)
            at = at.adding(hours: 1 + Int64(random.below(30)))
        }
        if random.unit() < 0.7 { emit(at, seller, "thread_closed", #""thread":"\#(thread)""#) }
        if random.unit() < 0.3 {
            emit(at.adding(hours: 2), seller, "survey_answered", #""order":"\#(order)","solved":\#(random.unit() < 0.85 ? "true" : "false")"#)
        }
    }

    private mutating func generateReturn(_ seller: SellerProfile, _ order: String, _ number: Int, _ delivered: Instant, _ bad: Double) {
        let returnID = "r\(number)"
        let ids = #""order":"\#(order)","return":"\#(returnID)""#
        let requested = delivered.adding(hours: 24 * Int64(1 + random.below(20)))
        emit(requested, seller, "return_requested", ids)
        let handled = requested.adding(hours: random.unit() < 0.9 - bad * 0.2 ? Int64(1 + random.below(47)) : 49 + Int64(random.below(72)))
        let rejected = random.unit() < 0.08
        emit(handled, seller, "return_handled", ids + #","decision":"\#(rejected ? "rejected" : "refunded")""#)
        if rejected {
            if random.unit() < 0.25 { emit(handled.adding(hours: 72), seller, "return_rejection_invalid", ids) }
        } else {
            emit(handled.adding(hours: 24), seller, "refund_issued", #""order":"\#(order)","amount":\#(5 + random.below(200)).\#(random.below(100))"#)
        }
        if random.unit() < 0.3 {
            emit(handled.adding(hours: 96), seller, "return_feedback", ids + #","satisfied":\#(random.unit() < 0.85 ? "true" : "false")"#)
        }
    }

    private mutating func emit(_ at: Instant, _ seller: SellerProfile, _ type: String, _ fields: String) {
        let end = Instant(microseconds: Int64(parameters.firstDay.adding(days: parameters.days).daysSinceEpoch) * 86_400_000_000)
        guard at < end else { return }
        nextEventNumber += 1
        let line = #"{"id":"\#(seller.id)-e\#(nextEventNumber)","type":"\#(type)","at":"\#(seller.format(at))","seller":"\#(seller.id)",\#(fields)}"#
        // An event dated before the day being generated (a zone east of UTC) goes out with it.
        let day = max(currentDay, Int(at.microseconds.floorDivided(by: 86_400_000_000)) - parameters.firstDay.daysSinceEpoch)
        if random.unit() < parameters.lateFraction {
            buckets[day + 1 + random.below(30), default: DayBucket()].late.append(line)
        } else {
            buckets[day, default: DayBucket()].onTime.append((at, line))
        }
        if random.unit() < parameters.duplicateFraction {
            buckets[day + random.below(3), default: DayBucket()].late.append(line)
        }
    }
}

private struct DayBucket {
    var onTime: [(at: Instant, line: String)] = []
    var late: [String] = []
}

private struct SellerProfile {
    let id: String
    let timeZone: TimeZone
    let handlingDays: Int
    let fbmShare: Double
    /// 1 is flawless; lower values raise every defect rate.
    let quality: Double

    func instant(day: CivilDate, hour: Double) -> Instant {
        let local = Int64(day.daysSinceEpoch) * 86_400 + Int64(hour * 3600)
        let offset = Int64(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(local))))
        return Instant(microseconds: (local - offset) * 1_000_000)
    }

    func format(_ instant: Instant) -> String {
        instant.rfc3339(offsetSeconds: timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(instant.microseconds / 1_000_000))))
    }
}

/// A small, fast, seedable generator (Steele, Lea and Flood's SplitMix64).
public struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    public mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }

    public mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
}
