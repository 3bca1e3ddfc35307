import Foundation
import HealthLedgerCore
import HealthLedgerSimulation
import HealthLedgerStore
import Testing

/// For random event sets, the incremental projection — appended in a random order, in
/// several batches — equals a from-scratch reading of the same definitions: every unit
/// measured directly as of every day, for every metric.
struct ProjectionPropertyTests {
    static let firstDay = CivilDate(year: 2026, month: 3, day: 1).daysSinceEpoch
    static let days = 30

    /// Random events of one seller: few units, many events each, so that every rule meets
    /// every other (ties included: times fall on a coarse grid).
    static func events(seed: UInt64) -> (seller: String, zone: String, lines: [String]) {
        var random = SplitMix64(seed: seed)
        let zone = random.pick(["UTC", "America/Los_Angeles", "Asia/Kolkata"])
        let seller = "s\(seed)"
        var lines: [String] = []
        func at() -> String {
            let seconds = Int64(firstDay) * 86_400 + Int64(random.below(days * 8)) * 10_800 + Int64(random.pick([0, 0, 1_800]))
            return Instant(microseconds: seconds * 1_000_000).rfc3339(offsetSeconds: 0)
        }
        func add(_ type: String, _ fields: String) {
            lines.append(#"{"id":"e\#(lines.count)","type":"\#(type)","at":"\#(at())","seller":"\#(seller)"\#(fields)}"#)
        }
        if random.chance(80) { add("seller_configured", #","time_zone":"\#(zone)","handling_days":\#(random.below(3))"#) }
        if random.chance(30) { add("seller_configured", #","time_zone":"\#(zone)","handling_days":\#(random.below(3))"#) }
        let orders = (0..<6).map { "o\($0)" }
        for _ in 0..<(40 + random.below(40)) {
            let order = random.pick(orders)
            let thread = random.pick(["t0", "t1", "t2"])
            let returnID = random.pick(["r0", "r1"])
            switch random.below(20) {
            case 0, 1:
                let shipBy = random.chance(30) ? #","ship_by":"\#(at())""# : ""
                let deliverBy = random.chance(50) ? #","deliver_by":"\#(at())""# : ""
                let handling = random.chance(20) ? #","handling_days":\#(random.below(3))"# : ""
                add("order_placed", #","order":"\#(order)","fulfillment":"\#(random.pick(["merchant", "marketplace"]))"\#(shipBy)\#(deliverBy)\#(handling)"#)
            case 2: add("order_cancelled", #","order":"\#(order)","by":"\#(random.pick(["seller", "buyer"]))""#)
            case 3: add("order_shipped", #","order":"\#(order)""# + (random.chance(70) ? #","tracking":"T""# : ""))
            case 4: add("tracking_added", #","order":"\#(order)","tracking":"T""#)
            case 5: add("carrier_scan", #","order":"\#(order)""#)
            case 6: add("order_delivered", #","order":"\#(order)""#)
            case 7: add("feedback_posted", #","order":"\#(order)","feedback":"f\#(random.below(3))","rating":\#(1 + random.below(5))"#)
            case 8: add("feedback_removed", #","order":"\#(order)","feedback":"f\#(random.below(3))""#)
            case 9: add("claim_filed", #","order":"\#(order)","claim":"c\#(random.below(3))","kind":"\#(random.pick(["a_to_z", "chargeback"]))""#)
            case 10: add("claim_reversed", #","order":"\#(order)","claim":"c\#(random.below(3))""#)
            case 11: add("buyer_message", #","thread":"\#(thread)","message":"m\#(random.below(4))""# + (random.chance(50) ? #","order":"\#(order)""# : ""))
            case 12: add("seller_reply", #","thread":"\#(thread)""# + (random.chance(50) ? #","handle_seconds":\#(random.below(500))"# : ""))
            case 13: add(random.pick(["no_reply_needed", "thread_closed"]), #","thread":"\#(thread)""#)
            case 14: add("survey_answered", #","order":"\#(order)","solved":\#(random.chance(50))"#)
            case 15: add("return_requested", #","order":"\#(order)","return":"\#(returnID)""#)
            case 16: add("return_handled", #","order":"\#(order)","return":"\#(returnID)","decision":"\#(random.pick(["authorized", "rejected"]))""#)
            case 17: add(random.pick(["return_rejection_invalid", "return_feedback"]), #","order":"\#(order)","return":"\#(returnID)","satisfied":\#(random.chance(50))"#)
            case 18: add("refund_issued", #","order":"\#(order)""#)
            default: add("policy_violation", #","violation":"v\#(random.below(3))","kind":"k""# + (random.chance(50) ? #","order":"\#(order)""# : ""))
            }
        }
        return (seller, zone, lines)
    }

    /// The definitions read directly: every unit measured as of `day`, kept when its
    /// attribution day is in the metric's window.
    static func fromScratch(_ events: [Event], day: Int) -> [String: Counts] {
        var replay = ProjectionReplay()
        events.forEach { replay.add($0) }
        let seller = events[0].seller
        let settings = replay.settings(of: seller)
        var counts: [String: Counts] = [:]
        for (unit, history) in replay.histories(of: seller) {
            for (metric, measure) in Projection.measures(unit: unit, events: history, settings: settings, asOf: AsOf(day: day, calendar: settings.calendar)) {
                let definition = MetricCatalog.all[metric]
                guard measure.day <= day, measure.day > day - definition.windowDays else { continue }
                counts[definition.id, default: Counts()] = counts[definition.id, default: Counts()] + Counts(numerator: measure.numerator, denominator: measure.denominator)
            }
        }
        return counts
    }

    @Test(arguments: 1...24)
    func incrementalEqualsFromScratch(seed: Int) throws {
        let (seller, _, lines) = Self.events(seed: UInt64(seed))
        let decoded = lines.map { try! EventDecoder.decode(Array($0.utf8)).get() }
        var random = SplitMix64(seed: UInt64(seed) * 7919)
        var shuffled = decoded
        for index in shuffled.indices.reversed() { shuffled.swapAt(index, random.below(index + 1)) }
        let database = TemporaryDatabase()
        let log = try database.open()
        // Batches also carry events sent again (duplicates, of this batch or an earlier one) and
        // configurations in another time zone (refused once a zone is established), so that
        // the projection also folds batches whose events are not all appended.
        var events: [Event] = []
        var start = 0
        while start < shuffled.count {
            let end = min(shuffled.count, start + 1 + random.below(25))
            var batch = Array(shuffled[start..<end])
            if random.chance(40) { batch.insert(shuffled[random.below(end)], at: random.below(batch.count + 1)) }
            if random.chance(15) {
                let line = #"{"id":"zone\#(start)","type":"seller_configured","at":"2026-02-20T00:00:00Z","seller":"\#(seller)","time_zone":"Europe/Paris","handling_days":1}"#
                batch.insert(try EventDecoder.decode(Array(line.utf8)).get(), at: random.below(batch.count + 1))
            }
            let outcomes = try log.append(batch, recordedAt: instant("2026-06-01T00:00:00Z"))
            events += zip(batch, outcomes).compactMap { event, outcome in
                if case .appended = outcome { event.event } else { nil }
            }
            start = end
        }
        for day in (Self.firstDay - 1)...(Self.firstDay + Self.days + 10) {
            let expected = Self.fromScratch(events, day: day)
            let dashboard = try log.dashboard(seller: seller, asOf: CivilDate(daysSinceEpoch: day))
            for reading in dashboard.readings {
                let want = expected[reading.definition.id] ?? Counts()
                #expect(reading.counts == want, "seed \(seed), \(reading.definition.id) as of \(CivilDate(daysSinceEpoch: day))")
            }
        }
    }
}

extension SplitMix64 {
    mutating func pick<T>(_ values: [T]) -> T { values[below(values.count)] }
    mutating func chance(_ percent: Int) -> Bool { below(100) < percent }
}
