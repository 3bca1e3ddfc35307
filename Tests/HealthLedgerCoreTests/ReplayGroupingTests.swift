@testable import HealthLedgerCore
import Testing

/// A replay groups its folded events into units by sorting them by their unit's hash; two
/// units whose keys share a hash must still come out apart. Real hashes never collide in a
/// test, so these are made up.
struct ReplayGroupingTests {
    @Test func aRunOfOneHashIsSplitByKey() {
        // (hash, key, event id), sorted by hash as a replay sorts them.
        let folded: [(Int, String, String)] = [
            (7, "a", "e1"), (7, "b", "e2"), (7, "a", "e3"),
            (9, "c", "e4"), (9, "c", "e5"),
            (11, "b", "e6"),
        ]
        var units: [(key: String, ids: [String])] = []
        let keys = folded.map { Array($0.1.utf8) }
        let events = folded.map { folded in
            var writer = ByteWriter()
            writer.write(UnitEvent(id: folded.2, at: Instant(microseconds: 0), fact: .carrierScan))
            return writer.bytes
        }
        keys.withUnsafeBufferPointers { keys in
            events.withUnsafeBufferPointers { events in
                let sorted = folded.indices.map { (hash: folded[$0].0, key: keys[$0], event: events[$0]) }
                ProjectionReplay.forEachUnit(in: sorted) { key, events in
                    units.append((String(decoding: key, as: UTF8.self), events.map(\.id)))
                }
            }
        }
        #expect(units.map(\.key) == ["a", "b", "c", "b"])
        #expect(units.map(\.ids) == [["e1", "e3"], ["e2"], ["e4", "e5"], ["e6"]])
    }
}
