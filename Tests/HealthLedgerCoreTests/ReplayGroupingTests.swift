@testable import HealthLedgerCore
import Testing

/// A replay groups its folded events into units by sorting them by their unit's hash; two
/// units whose keys share a hash must still come out apart. Real hashes never collide in a
/// test, so these are made up.
struct ReplayGroupingTests {
    @Test func aRunOfOneHashIsSplitByKey() {
        // (hash, key, event bytes), sorted by hash as a replay sorts them.
        let folded: [(Int, String, [UInt8])] = [
            (7, "a", [1]), (7, "b", [2]), (7, "a", [3]),
            (9, "c", [4]), (9, "c", [5]),
            (11, "b", [6]),
        ]
        var units: [(key: String, count: Int, bytes: [UInt8])] = []
        let keys = folded.map { Array($0.1.utf8) }
        let events = folded.map(\.2)
        keys.withUnsafeBufferPointers { keys in
            events.withUnsafeBufferPointers { events in
                let sorted = folded.indices.map { (hash: folded[$0].0, key: keys[$0], event: events[$0]) }
                ProjectionReplay.forEachUnit(in: sorted) { key, encoded in
                    units.append((String(decoding: key, as: UTF8.self), encoded.count, encoded.bytes))
                }
            }
        }
        #expect(units.map(\.key) == ["a", "b", "c", "b"])
        #expect(units.map(\.count) == [2, 1, 2, 1])
        #expect(units.map(\.bytes) == [[1, 3], [2], [4, 5], [6]])
    }
}
