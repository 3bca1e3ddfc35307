/// A unit's history as the store keeps it: a few bytes an event, read back without parsing JSON.
/// Derived data: the event log stays the record, and the history can be rebuilt from it.
public enum UnitHistoryCoding {
    public struct Corrupt: Error, CustomStringConvertible {
        public var description: String { "a stored unit history is not in the format this build reads" }
    }

    private static let version: UInt8 = 1

    public static func encode(_ events: [UnitEvent]) -> [UInt8] {
        var writer = ByteWriter()
        // The version and the count, then about 40 bytes an event.
        writer.bytes.reserveCapacity(11 + 40 * events.count)
        writer.bytes.append(version)
        writer.write(UInt64(events.count))
        for event in events { writer.write(event) }
        return writer.bytes
    }

    public static func decode(_ bytes: UnsafeRawBufferPointer) throws(Corrupt) -> [UnitEvent] {
        var reader = ByteReader(bytes: bytes)
        guard try reader.byte() == version else { throw Corrupt() }
        let count = Int(try reader.varint())
        guard count <= bytes.count else { throw Corrupt() }
        let events = try reader.events(count: count)
        guard reader.isAtEnd else { throw Corrupt() }
        return events
    }
}

struct ByteWriter {
    var bytes: [UInt8] = []

    mutating func write(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    mutating func write(_ value: Int64) { write(UInt64(bitPattern: (value << 1) ^ (value >> 63))) }

    mutating func write(_ value: Bool) { bytes.append(value ? 1 : 0) }

    mutating func write(_ value: String) {
        var value = value
        value.withUTF8 { write(utf8: $0) }
    }

    mutating func write(_ instant: Instant?) {
        write(instant != nil)
        if let instant { write(instant.microseconds) }
    }

    mutating func write(_ event: UnitEvent) {
        write(event.id)
        write(event.at.microseconds)
        write(event.fact)
    }

    /// A string as `write(_: String)` writes it, from its UTF-8 bytes.
    mutating func write(utf8: UnsafeBufferPointer<UInt8>) {
        write(UInt64(utf8.count))
        bytes.append(contentsOf: utf8)
    }

    mutating func write(_ fact: UnitEvent.Fact) {
        switch fact {
        case .orderPlaced(let terms):
            bytes.append(1)
            write(terms.isMerchantFulfilled)
            write(terms.shipBy)
            write(terms.handlingDays.map { Int64($0) + 1 } ?? 0)
            write(terms.deliverBy)
        case .orderShipped(let hasTracking): bytes.append(2); write(hasTracking)
        case .trackingAdded: bytes.append(3)
        case .carrierScan: bytes.append(4)
        case .orderDelivered: bytes.append(5)
        case .orderCancelled(let bySeller): bytes.append(6); write(bySeller)
        case .feedbackPosted(let feedback, let rating, let order): bytes.append(7); write(feedback); write(Int64(rating)); write(order)
        case .feedbackRemoved(let feedback, let order): bytes.append(8); write(feedback); write(order)
        case .claimFiled(let claim, let kind, let order): bytes.append(9); write(claim); bytes.append(kind.rawValue); write(order)
        case .claimReversed(let claim, let order): bytes.append(10); write(claim); write(order)
        case .refundIssued: bytes.append(11)
        case .surveyAnswered(let solved): bytes.append(12); write(solved)
        case .buyerMessage(let message): bytes.append(13); write(message)
        case .sellerReply(let handle): bytes.append(14); write(handle.map { $0 + 1 } ?? 0)
        case .noReplyNeeded: bytes.append(15)
        case .threadClosed: bytes.append(16)
        case .returnRequested: bytes.append(17)
        case .returnHandled: bytes.append(18)
        case .returnRejectionInvalid: bytes.append(19)
        case .returnFeedback(let satisfied): bytes.append(20); write(satisfied)
        case .policyViolation: bytes.append(21)
        }
    }
}

struct ByteReader {
    let bytes: UnsafeRawBufferPointer
    var position = 0

    var isAtEnd: Bool { position == bytes.count }

    mutating func byte() throws(UnitHistoryCoding.Corrupt) -> UInt8 {
        guard position < bytes.count else { throw UnitHistoryCoding.Corrupt() }
        position += 1
        return bytes[position - 1]
    }

    mutating func varint() throws(UnitHistoryCoding.Corrupt) -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let byte = try byte()
            guard shift < 64 else { throw UnitHistoryCoding.Corrupt() }
            value |= UInt64(byte & 0x7f) << shift
            if byte < 0x80 { return value }
            shift += 7
        }
    }

    mutating func int64() throws(UnitHistoryCoding.Corrupt) -> Int64 {
        let raw = try varint()
        return Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1)
    }

    mutating func bool() throws(UnitHistoryCoding.Corrupt) -> Bool { try byte() != 0 }

    mutating func string() throws(UnitHistoryCoding.Corrupt) -> String {
        let count = Int(clamping: try varint())
        guard count <= bytes.count - position else { throw UnitHistoryCoding.Corrupt() }
        defer { position += count }
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[position..<position + count]), as: UTF8.self)
    }

    mutating func bytes(count: Int) throws(UnitHistoryCoding.Corrupt) -> UnsafeRawBufferPointer {
        guard count <= bytes.count - position else { throw UnitHistoryCoding.Corrupt() }
        defer { position += count }
        return UnsafeRawBufferPointer(rebasing: bytes[position..<position + count])
    }

    mutating func instant() throws(UnitHistoryCoding.Corrupt) -> Instant? {
        try bool() ? Instant(microseconds: try int64()) : nil
    }

    /// Optional integers are stored plus one, zero meaning absent.
    mutating func optionalInt64() throws(UnitHistoryCoding.Corrupt) -> Int64? {
        let stored = try int64()
        return stored == 0 ? nil : stored - 1
    }

    mutating func events(count: Int) throws(UnitHistoryCoding.Corrupt) -> [UnitEvent] {
        var events: [UnitEvent] = []
        events.reserveCapacity(count)
        for _ in 0..<count { events.append(try event()) }
        return events
    }

    mutating func event() throws(UnitHistoryCoding.Corrupt) -> UnitEvent {
        let id = try string()
        let at = Instant(microseconds: try int64())
        let fact: UnitEvent.Fact
        switch try byte() {
        case 1:
            fact = .orderPlaced(UnitEvent.OrderTerms(isMerchantFulfilled: try bool(), shipBy: try instant(),
                                                     handlingDays: try optionalInt64().map { Int($0) }, deliverBy: try instant()))
        case 2: fact = .orderShipped(hasTracking: try bool())
        case 3: fact = .trackingAdded
        case 4: fact = .carrierScan
        case 5: fact = .orderDelivered
        case 6: fact = .orderCancelled(bySeller: try bool())
        case 7: fact = .feedbackPosted(feedback: try string(), rating: Int(try int64()), order: try string())
        case 8: fact = .feedbackRemoved(feedback: try string(), order: try string())
        case 9:
            let claim = try string()
            guard let kind = UnitEvent.ClaimKind(rawValue: try byte()) else { throw UnitHistoryCoding.Corrupt() }
            fact = .claimFiled(claim: claim, kind: kind, order: try string())
        case 10: fact = .claimReversed(claim: try string(), order: try string())
        case 11: fact = .refundIssued
        case 12: fact = .surveyAnswered(solved: try bool())
        case 13: fact = .buyerMessage(message: try string())
        case 14: fact = .sellerReply(handleMicroseconds: try optionalInt64())
        case 15: fact = .noReplyNeeded
        case 16: fact = .threadClosed
        case 17: fact = .returnRequested
        case 18: fact = .returnHandled
        case 19: fact = .returnRejectionInvalid
        case 20: fact = .returnFeedback(satisfied: try bool())
        case 21: fact = .policyViolation
        default: throw UnitHistoryCoding.Corrupt()
        }
        return UnitEvent(id: id, at: at, fact: fact)
    }
}
