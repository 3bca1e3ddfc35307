import HealthLedgerCore
import Testing

/// A sum of contributions keeps most days in an array that grows toward the past and the
/// future as days come, and days further apart than its span in a dictionary: whatever the
/// days and their order, it sums what adding each delta into a dictionary sums.
struct ContributionSumTests {
    /// An order placed at noon UTC on `day`, with its first delivery a week later.
    static func contribution(order: String, placed day: String) -> Contribution {
        let placed = Instant(rfc3339: day + "T12:00:00Z")!
        let events = [
            UnitEvent(id: order + "-placed", at: placed,
                      fact: .orderPlaced(.init(isMerchantFulfilled: true, shipBy: nil, handlingDays: nil, deliverBy: nil))),
            UnitEvent(id: order + "-delivered", at: placed.adding(hours: 24 * 7), fact: .orderDelivered),
        ]
        return Projection.contribution(unit: .order(order), events: events, settings: .unconfigured)
    }

    static func sum(of deltas: [(key: DeltaKey, counts: Counts)], into sums: inout [DeltaKey: Counts]) {
        for delta in deltas { sums[delta.key, default: Counts()] += delta.counts }
    }

    @Test func daysInAnyOrderAndFarApartSumAsInADictionary() {
        // In this order: a first day; earlier days (the array grows toward the past); later
        // ones; a century later and a century earlier, beyond twenty years of the first
        // (the dictionary); one taken away again, leaving its days at zero.
        let placed = ["2026-03-01", "2026-02-10", "2025-06-01", "2024-01-01", "2026-09-30", "2031-12-31",
                      "2126-03-01", "1926-03-01", "2026-03-02"]
        let contributions = placed.enumerated().map { Self.contribution(order: "o\($0.offset)", placed: $0.element) }
        let removed = Self.contribution(order: "o-removed", placed: "2027-01-15")

        var sum = ContributionSum()
        var expected: [DeltaKey: Counts] = [:]
        for contribution in contributions {
            #expect(!contribution.deltas.isEmpty)
            sum.add(contribution)
            Self.sum(of: contribution.deltas, into: &expected)
        }
        sum.add(removed)
        sum.subtract(removed)

        #expect(sum.byKey == expected.filter { !$0.value.isZero })
        #expect(sum.byKey.keys.contains { CivilDate(daysSinceEpoch: $0.day).description.hasPrefix("2126") })
        #expect(sum.byKey.keys.contains { CivilDate(daysSinceEpoch: $0.day).description.hasPrefix("1926") })

        // Two sums added together sum the same.
        var halves = ContributionSum()
        var secondHalf = ContributionSum()
        for (index, contribution) in contributions.enumerated() {
            if index.isMultiple(of: 2) { halves.add(contribution) } else { secondHalf.add(contribution) }
        }
        halves.add(secondHalf)
        #expect(halves.byKey == sum.byKey)
    }
}
