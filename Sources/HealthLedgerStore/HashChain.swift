import Crypto
import Foundation
import GRDB
import HealthLedgerCore

/// The columns of a stored event, in the order the hash chain covers them.
struct StoredRow {
    static let columns = "seq, id, type, seller, at, at_us, recorded_us, unit, order_ref, json, digest"

    let sequence: Int64
    let id: String
    let type: String
    let seller: String
    let at: String
    let atMicroseconds: Int64
    let recordedMicroseconds: Int64
    let unit: String?
    /// The event's `order` when its unit is something else (a message, return or violation
    /// about an order), so that an order's story includes it.
    let orderReference: String?
    let json: String
    let digest: Data

    init(sequence: Int64, event: Event, recordedAt: Instant, digest: Data, json: String) {
        self.sequence = sequence
        id = event.id
        type = event.type.rawValue
        seller = event.seller
        at = event.string("at")!
        atMicroseconds = event.at.microseconds
        recordedMicroseconds = recordedAt.microseconds
        let unit = event.unit
        self.unit = unit?.key
        if case .order = unit { orderReference = nil } else { orderReference = event.string("order") }
        self.json = json
        self.digest = digest
    }

    init(row: Row) {
        sequence = row["seq"]
        id = row["id"]
        type = row["type"]
        seller = row["seller"]
        at = row["at"]
        atMicroseconds = row["at_us"]
        recordedMicroseconds = row["recorded_us"]
        unit = row["unit"]
        orderReference = row["order_ref"]
        json = row["json"]
        digest = row["digest"]
    }

    var arguments: StatementArguments {
        [sequence, id, type, seller, at, atMicroseconds, recordedMicroseconds, unit, orderReference, json, digest]
    }

    /// Every column, each prefixed by its length (or a null marker), so that no two rows
    /// share bytes by shifting text from one column into the next.
    func canonicalBytes(into hasher: inout SHA256) {
        func add(_ text: String?) {
            guard let text else {
                hasher.update(data: [0xFF])
                return
            }
            add(Data(text.utf8))
        }
        func add(_ data: Data) {
            var length = UInt64(data.count).bigEndian
            withUnsafeBytes(of: &length) { hasher.update(bufferPointer: $0) }
            hasher.update(data: data)
        }
        add(String(sequence))
        add(id)
        add(type)
        add(seller)
        add(at)
        add(String(atMicroseconds))
        add(String(recordedMicroseconds))
        add(unit)
        add(orderReference)
        add(json)
        add(digest)
    }
}

/// SHA-256 over the previous event's hash and this event's canonical bytes.
struct HashChain {
    static let genesis = Data(count: SHA256.byteCount)

    var head: Data

    init(head: Data = genesis) { self.head = head }

    func hash(of row: StoredRow) -> Data {
        var hasher = SHA256()
        hasher.update(data: head)
        row.canonicalBytes(into: &hasher)
        return Data(hasher.finalize())
    }

    var headHex: String { head.map { String(format: "%02x", $0) }.joined() }
}
