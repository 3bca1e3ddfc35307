import HealthLedgerCore
import HealthLedgerSimulation
import Testing

/// A replay folds a large batch on every core at once, each core a slice of it into a part of
/// its own, so one unit's events end up in several parts: joined, they give what folding the
/// events one at a time gives.
struct ProjectionReplayTests {
    static func events(sellers: Int, ordersPerDay: Int, seed: UInt64) -> [Event] {
        var generator = EventGenerator(.init(sellers: sellers, days: 40, ordersPerDay: ordersPerDay, seed: seed))
        var events: [Event] = []
        generator.run { events.append(try! EventDecoder.decode(Array($0.utf8)).get().event) }
        return events
    }

    /// The same unit histories, each unit once, and the same counters.
    static func expectSameFold(_ replay: ProjectionReplay, as expected: ProjectionReplay, seller: String) {
        let folded = replay.histories(of: seller)
        let expectedHistories = expected.histories(of: seller)
        #expect(folded.count == expectedHistories.count)
        let histories = Dictionary(folded.map { ($0.unit, $0.events) }, uniquingKeysWith: { first, _ in first })
        for (unit, events) in expectedHistories { #expect(histories[unit] == events, "\(seller) \(unit)") }
        #expect(replay.deltas(of: seller).byKey == expected.deltas(of: seller).byKey)
    }

    @Test func aBatchFoldedOnEveryCoreEqualsTheEventsFoldedOneByOne() throws {
        let events = Self.events(sellers: 3, ordersPerDay: 15, seed: 9)
        #expect(events.count > 4_000)

        var inBatches = ProjectionReplay()
        for start in stride(from: 0, to: events.count, by: 1_000) {
            inBatches.add(events[start..<min(events.count, start + 1_000)].map(ReplayedEvent.init))
        }
        var oneByOne = ProjectionReplay()
        events.forEach { oneByOne.add($0) }

        #expect(inBatches.eventCount == events.count)
        #expect(inBatches.sellers == oneByOne.sellers)
        #expect(inBatches.sellers.count == 3)
        for seller in oneByOne.sellers {
            #expect(inBatches.settings(of: seller).timeZoneName == oneByOne.settings(of: seller).timeZoneName)
            Self.expectSameFold(inBatches, as: oneByOne, seller: seller)
            #expect(inBatches.snapshot(of: seller).count == oneByOne.snapshot(of: seller).count)
        }
    }

    /// A known-at replay restores a snapshot, then folds the later events on every core.
    @Test func aSnapshotRestoredThenABatchFoldedOnEveryCoreEqualsTheEventsFoldedOneByOne() throws {
        let events = Self.events(sellers: 1, ordersPerDay: 30, seed: 4)
        let seller = events[0].seller
        let half = events.count / 2
        #expect(events.count - half > 1_000)

        var first = ProjectionReplay()
        events[..<half].forEach { first.add($0) }
        var restored = ProjectionReplay()
        try first.snapshot(of: seller).withUnsafeBytes { try restored.restore($0, seller: seller) }
        restored.add(events[half...].map(ReplayedEvent.init))
        var oneByOne = ProjectionReplay()
        events.forEach { oneByOne.add($0) }

        #expect(restored.eventCount == events.count)
        Self.expectSameFold(restored, as: oneByOne, seller: seller)
    }

    /// The events of a feedback or claim key join every order they name, whichever bucket of
    /// units that order falls in, and an order that only such events name is a unit of its own.
    @Test func feedbackAndClaimEventsJoinTheOrdersTheyName() throws {
        let lines = [
            #"{"id":"e1","type":"order_placed","at":"2026-03-01T10:00:00Z","seller":"s","order":"o1","fulfillment":"merchant"}"#,
            #"{"id":"e2","type":"order_placed","at":"2026-03-01T11:00:00Z","seller":"s","order":"o2","fulfillment":"merchant"}"#,
            #"{"id":"e3","type":"feedback_posted","at":"2026-03-05T09:00:00Z","seller":"s","order":"o1","feedback":"f1","rating":1}"#,
            // The latest post of f1 names o2: both orders hold both posts, and decide which counts.
            #"{"id":"e4","type":"feedback_posted","at":"2026-03-06T09:00:00Z","seller":"s","order":"o2","feedback":"f1","rating":2}"#,
            #"{"id":"e5","type":"claim_filed","at":"2026-03-07T09:00:00Z","seller":"s","order":"o9","claim":"c1","kind":"a_to_z"}"#,
        ]
        var replay = ProjectionReplay()
        for line in lines { replay.add(try EventDecoder.decode(Array(line.utf8)).get().event) }
        let histories = Dictionary(uniqueKeysWithValues: replay.histories(of: "s").map { ($0.unit, $0.events.map(\.id)) })
        #expect(histories == [
            .order("o1"): ["e1", "e3", "e4"],
            .order("o2"): ["e2", "e3", "e4"],
            .order("o9"): ["e5"],
            .feedback("f1"): ["e3", "e4"],
            .claim("c1"): ["e5"],
        ])
    }
}
