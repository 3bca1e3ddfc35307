import Crypto
import Foundation
import GRDB
import HealthLedgerCore

/// The columns of a stored event, in the order the hash chain covers them.
struct StoredRow: Sendable {
    static let columns = "seq, id, type, seller, at, at_us, recorded_us, unit, order_ref, json, digest"

    let sequence: Int64
    let id: String
    let type: String
    let seller: String
    let at: String
    let atMicroseconds: Int64
    let recordedMicroseconds: Int64
    let unit: String?
    let orderReference: String?
    let json: String
    let digest: Data

    init(sequence: Int64, event prepared: PreparedEvent, recordedAt: Instant) {
        let event = prepared.event
        self.sequence = sequence
        id = event.id
        type = event.type.rawValue
        seller = event.seller
        at = event.string("at")!
        atMicroseconds = event.at.microseconds
        recordedMicroseconds = recordedAt.microseconds
        unit = prepared.unitKey
        orderReference = prepared.orderReference
        json = prepared.json
        digest = prepared.digest
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

    /// Every column, each prefixed by its length (or a null marker), so that no two rows
    /// share bytes by shifting text from one column into the next.
    func canonicalBytes(into bytes: inout [UInt8]) {
        func add(_ column: UnsafeRawBufferPointer) {
            var length = UInt64(column.count).bigEndian
            withUnsafeBytes(of: &length) { bytes.append(contentsOf: $0) }
            bytes.append(contentsOf: column)
        }
        func add(_ text: String?) {
            guard var text else {
                bytes.append(0xFF)
                return
            }
            text.withUTF8 { add(UnsafeRawBufferPointer($0)) }
        }
        func add(_ integer: Int64) {
            var bigEndian = integer.bigEndian
            withUnsafeBytes(of: &bigEndian) { add($0) }
        }
        add(sequence)
        add(id)
        add(type)
        add(seller)
        add(at)
        add(atMicroseconds)
        add(recordedMicroseconds)
        add(unit)
        add(orderReference)
        add(json)
        digest.withUnsafeBytes { add($0) }
    }
}

/// SHA-256 over the previous event's hash and this event's canonical bytes.
struct HashChain: Sendable {
    static let genesis = Data(count: SHA256.byteCount)

    /// A row with its hash, worked out before the transaction learns whether it is appended.
    struct ChainedRow: Sendable {
        let row: StoredRow
        let hash: Data
    }

    var head: Data

    init(head: Data = genesis) { self.head = head }

    func hash(of row: StoredRow) -> Data {
        var bytes = [UInt8](head)
        bytes.reserveCapacity(head.count + row.json.utf8.count + 256)
        row.canonicalBytes(into: &bytes)
        return Data(SHA256.hash(data: bytes))
    }

    /// The rows and hashes of `events` if each is appended after the one before, the first
    /// after `sequence`, this chain's head, which moves to the last: what the append uses for as
    /// long as every event of the batch is appended.
    mutating func chain(_ events: ArraySlice<PreparedEvent>, after sequence: Int64, recordedAt: Instant) -> [ChainedRow] {
        events.enumerated().map { offset, event in
            let row = StoredRow(sequence: sequence + 1 + Int64(offset), event: event, recordedAt: recordedAt)
            head = hash(of: row)
            return ChainedRow(row: row, hash: head)
        }
    }

    var headHex: String { head.map { String(format: "%02x", $0) }.joined() }
}

/// The rows and hashes of a batch's events chained as if each were appended, worked out on
/// another thread a chunk at a time and handed over as each chunk is done: the append inserts
/// the first rows while the rest are hashed, where it waited for the whole batch's hashes
/// (a tenth of an ingest's time).
final class ChainedRows: Sendable {
    static let chunkSize = 1_024

    /// Room for every chunk, so that the hashing never waits, even for an append that stopped.
    private let chunks: BoundedQueue<[HashChain.ChainedRow]>

    /// `events` chained after `chain`'s head, the first at `sequence` + 1.
    init(_ events: [PreparedEvent], after chain: HashChain, sequence: Int64, recordedAt: Instant) {
        let chunks = BoundedQueue<[HashChain.ChainedRow]>(capacity: events.count / Self.chunkSize + 1)
        self.chunks = chunks
        DispatchQueue.global().async {
            var chain = chain
            for start in stride(from: 0, to: events.count, by: Self.chunkSize) {
                _ = chunks.push(chain.chain(events[start..<min(start + Self.chunkSize, events.count)],
                                            after: sequence + Int64(start), recordedAt: recordedAt))
            }
            chunks.close()
        }
    }

    /// Each row in order with its event's index in the batch, as soon as its chunk is chained; call once.
    func forEach(_ body: (Int, HashChain.ChainedRow) throws -> Void) rethrows {
        var index = 0
        while let chunk = chunks.pop() {
            for row in chunk {
                try body(index, row)
                index += 1
            }
        }
    }
}
