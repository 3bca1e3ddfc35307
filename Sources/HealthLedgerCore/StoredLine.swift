import Foundation

/// A line the log holds, read in place for a replay: its top-level members found in one pass,
/// each value left as bytes until a unit asks for it, with no JSON tree. The log validated every
/// line it holds, so this reads only what a plain line has; a line with an escaped string or a
/// nested value, or a configuration (kept whole), is left to `EventDecoder`.
public struct StoredLine: EventFields {
    /// More members than a line of the contract has (a line with more is left to
    /// `EventDecoder`), and as many as `withUnsafeTemporaryAllocation` keeps on the stack: past
    /// 1 KiB it allocated them on the heap for each line, 1.7% of a replay's instructions.
    static let maximumMembers = 1024 / MemoryLayout<Members.Member>.stride

    /// The id's and the seller's bytes, so that a replay that writes out the one and finds
    /// the seller's part by the other makes no `String` of them.
    let idBytes: UnsafeBufferPointer<UInt8>
    let sellerBytes: UnsafeBufferPointer<UInt8>
    public let type: EventType
    public let at: Instant
    private let members: Members

    public var id: String { String(decoding: idBytes, as: UTF8.self) }

    public var seller: String { String(decoding: sellerBytes, as: UTF8.self) }

    /// `body`'s reading of the line in place, or nil when it is one to leave to `EventDecoder`.
    /// The line read must not outlive the call.
    static func reading<R>(_ line: UnsafeBufferPointer<UInt8>, _ body: (StoredLine) -> R) -> R? {
        withUnsafeTemporaryAllocation(of: Members.Member.self, capacity: maximumMembers) { storage in
            guard let members = Members(line, storage: storage), let line = StoredLine(members) else { return nil }
            return body(line)
        }
    }

    private init?(_ members: Members) {
        guard let envelope = members.envelope(), let type = EventType(utf8Name: envelope.type),
              let at = Instant(rfc3339UTF8: envelope.at)
        else { return nil }
        idBytes = envelope.id
        sellerBytes = envelope.seller
        self.type = type
        self.at = at
        self.members = members
    }

    /// A string field's bytes, without its quotes.
    func stringBytes(_ field: String) -> UnsafeBufferPointer<UInt8>? { members.stringBytes(field) }

    public func string(_ field: String) -> String? { members.string(field) }

    public func instant(_ field: String) -> Instant? { members.instant(field) }

    public func number(_ field: String) -> JSONNumber? { members.number(field) }

    public func bool(_ field: String) -> Bool? { members.bool(field) }

    /// The line's top-level members, found in one pass, in storage the caller lends.
    private struct Members {
        struct Member {
            let key: Range<Int>
            /// A string's bytes without their quotes; any other value as written.
            let value: Range<Int>
            let isString: Bool
        }

        private let bytes: UnsafeBufferPointer<UInt8>
        private let members: UnsafeBufferPointer<Member>

        init?(_ bytes: UnsafeBufferPointer<UInt8>, storage: UnsafeMutableBufferPointer<Member>) {
            var scanner = Scanner(bytes: bytes)
            var count = 0
            guard scanner.take(UInt8(ascii: "{")) else { return nil }
            if !scanner.take(UInt8(ascii: "}")) {
                repeat {
                    guard count < storage.count, let key = scanner.plainString(), scanner.take(UInt8(ascii: ":")),
                          let (value, isString) = scanner.scalarValue()
                    else { return nil }
                    storage.initializeElement(at: count, to: Member(key: key, value: value, isString: isString))
                    count += 1
                } while scanner.take(UInt8(ascii: ","))
                guard scanner.take(UInt8(ascii: "}")) else { return nil }
            }
            self.bytes = bytes
            members = UnsafeBufferPointer(rebasing: storage[..<count])
        }

        /// Field names are literals, whose bytes are read in place: `withUTF8` copied each
        /// name first, a retain and a release for each of a replay's seven look-ups a line.
        private func member(_ field: String) -> Member? {
            field.utf8.withContiguousStorageIfAvailable { member(named: $0) } ?? Array(field.utf8).withUnsafeBufferPointer { member(named: $0) }
        }

        @inline(__always)
        private func member(named name: UnsafeBufferPointer<UInt8>) -> Member? {
            // Lengths first: most keys differ in theirs, and are not sliced out to be compared.
            members.first { $0.key.count == name.count && UnsafeBufferPointer(rebasing: bytes[$0.key]).hasSameBytes(as: name) }
        }

        func stringBytes(_ field: String) -> UnsafeBufferPointer<UInt8>? {
            guard let member = member(field), member.isString else { return nil }
            return UnsafeBufferPointer(rebasing: bytes[member.value])
        }

        func string(_ field: String) -> String? {
            stringBytes(field).map { String(decoding: $0, as: UTF8.self) }
        }

        /// The string members every line has, found in one pass: looked up one at a time, each
        /// from the first member, they took 4% of a replay's instructions.
        func envelope() -> (id: UnsafeBufferPointer<UInt8>, type: UnsafeBufferPointer<UInt8>,
                            seller: UnsafeBufferPointer<UInt8>, at: UnsafeBufferPointer<UInt8>)? {
            var id, type, seller, at: UnsafeBufferPointer<UInt8>?
            for member in members where member.isString {
                let key = UnsafeBufferPointer(rebasing: bytes[member.key])
                let value = UnsafeBufferPointer(rebasing: bytes[member.value])
                func named(_ name: StaticString) -> Bool { name.withUTF8Buffer { key.hasSameBytes(as: $0) } }
                switch key.count {
                case 2 where id == nil && named("id"): id = value
                case 2 where at == nil && named("at"): at = value
                case 4 where type == nil && named("type"): type = value
                case 6 where seller == nil && named("seller"): seller = value
                default: break
                }
            }
            guard let id, let type, let seller, let at else { return nil }
            return (id, type, seller, at)
        }

        func instant(_ field: String) -> Instant? {
            stringBytes(field).flatMap(Instant.init(rfc3339UTF8:))
        }

        func number(_ field: String) -> JSONNumber? {
            guard let member = member(field), !member.isString, let first = bytes[member.value].first,
                  first == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first)
            else { return nil }
            return JSONNumber(lexeme: String(decoding: bytes[member.value], as: UTF8.self))
        }

        func bool(_ field: String) -> Bool? {
            guard let member = member(field), !member.isString else { return nil }
            switch bytes[member.value].first {
            case UInt8(ascii: "t"): return true
            case UInt8(ascii: "f"): return false
            default: return nil
            }
        }
    }

    /// Reads the plain JSON a stored line is made of, skipping white space before each token.
    private struct Scanner {
        let bytes: UnsafeBufferPointer<UInt8>
        var position = 0

        /// White space is at most 0x20: one comparison passes over any other byte.
        mutating func skipWhitespace() {
            while position < bytes.count, bytes[position] <= 0x20,
                  bytes[position] == 0x20 || bytes[position] == 0x09 || bytes[position] == 0x0A || bytes[position] == 0x0D {
                position += 1
            }
        }

        mutating func take(_ byte: UInt8) -> Bool {
            skipWhitespace()
            guard position < bytes.count, bytes[position] == byte else { return false }
            position += 1
            return true
        }

        /// A string without escapes: the range of its bytes between the quotes.
        mutating func plainString() -> Range<Int>? {
            guard take(UInt8(ascii: "\"")) else { return nil }
            let start = position
            // Eight bytes at a time up to the first quote or backslash.
            if let base = UnsafeRawPointer(bytes.baseAddress) {
                while position + 8 <= bytes.count {
                    let found = Self.quotesAndBackslashes(in: UInt64(littleEndian: base.loadUnaligned(fromByteOffset: position, as: UInt64.self)))
                    guard found == 0 else {
                        position += found.trailingZeroBitCount / 8
                        break
                    }
                    position += 8
                }
            }
            while position < bytes.count {
                switch bytes[position] {
                case UInt8(ascii: "\""):
                    position += 1
                    return start..<position - 1
                case UInt8(ascii: "\\"): return nil
                default: position += 1
                }
            }
            return nil
        }

        /// A string, number, `true`, `false` or `null`; nil for an object or an array.
        mutating func scalarValue() -> (Range<Int>, isString: Bool)? {
            skipWhitespace()
            guard position < bytes.count else { return nil }
            switch bytes[position] {
            case UInt8(ascii: "\""): return plainString().map { ($0, true) }
            case UInt8(ascii: "{"), UInt8(ascii: "["): return nil
            default:
                let start = position
                while position < bytes.count, !Self.ends(bytes[position]) { position += 1 }
                return position > start ? (start..<position, false) : nil
            }
        }

        /// The high bit of each byte of `word` (its first byte lowest) that is a quote or a
        /// backslash, a zero byte of `word` XOR either; past the first, others may be marked too.
        private static func quotesAndBackslashes(in word: UInt64) -> UInt64 {
            let ones: UInt64 = 0x0101_0101_0101_0101
            func zeros(_ word: UInt64) -> UInt64 { (word &- ones) & ~word & (ones << 7) }
            return zeros(word ^ (ones &* UInt64(UInt8(ascii: "\"")))) | zeros(word ^ (ones &* UInt64(UInt8(ascii: "\\"))))
        }

        private static func ends(_ byte: UInt8) -> Bool {
            byte == UInt8(ascii: ",") || byte == UInt8(ascii: "}") || byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
        }
    }
}

extension UnsafeBufferPointer<UInt8> {
    /// Whether both hold the same bytes, compared eight at a time: `elementsEqual` went byte by
    /// byte, and a call to `memcmp` for each of a replay's short keys and ids took 5% of it.
    func hasSameBytes(as other: UnsafeBufferPointer<UInt8>) -> Bool {
        guard count == other.count else { return false }
        guard count > 0 else { return true }
        let lhs = UnsafeRawPointer(baseAddress!), rhs = UnsafeRawPointer(other.baseAddress!)
        var offset = 0
        while offset + 8 <= count {
            guard lhs.loadUnaligned(fromByteOffset: offset, as: UInt64.self) == rhs.loadUnaligned(fromByteOffset: offset, as: UInt64.self) else { return false }
            offset += 8
        }
        while offset < count {
            guard lhs.load(fromByteOffset: offset, as: UInt8.self) == rhs.load(fromByteOffset: offset, as: UInt8.self) else { return false }
            offset += 1
        }
        return true
    }
}
