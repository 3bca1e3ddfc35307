import Foundation
import HealthLedgerCore

struct SellerUnit: Hashable, Sendable {
    let seller: String
    let unit: UnitReference
}

/// Recently projected unit histories, so that the next event of a unit neither reloads nor
/// decodes them. Two generations approximate least-recently used: when the young one fills up
/// it becomes the old one, and a hit in the old one moves up. Valid only while this process is
/// the log's only writer since it was filled: another writer's append empties it.
final class UnitCache: @unchecked Sendable {
    static let generationCapacity = 150_000

    private let lock = NSLock()
    private var young: [SellerUnit: [UnitEvent]] = [:]
    private var old: [SellerUnit: [UnitEvent]] = [:]
    private var head: Int64 = -1

    /// Empties the cache unless the log's head is still the one it reflects.
    func validate(head logHead: Int64) {
        lock.withLock {
            if logHead != head {
                young.removeAll()
                old.removeAll()
            }
        }
    }

    func history(of key: SellerUnit) -> [UnitEvent]? { lock.withLock { young[key] ?? old[key] } }

    /// Keeps what a committed transaction left, as of the new head.
    func keep(_ updated: [(key: SellerUnit, events: [UnitEvent])], head newHead: Int64) {
        lock.withLock {
            for (key, history) in updated {
                if young.count >= Self.generationCapacity {
                    old = young
                    young = [:]
                }
                young[key] = history
                old[key] = nil
            }
            head = newHead
        }
    }
}
