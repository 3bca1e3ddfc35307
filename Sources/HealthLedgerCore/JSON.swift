#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// A JSON value as the contract reads it: numbers keep their lexeme so that `1`, `1.0` and
/// `true` stay distinct content, and objects keep their members in source order.
public enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case number(JSONNumber)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)
}

public struct JSONNumber: Equatable, Sendable {
    /// The number as written in the source.
    public let lexeme: String

    public init(lexeme: String) { self.lexeme = lexeme }

    public var doubleValue: Double { Double(lexeme) ?? .nan }

    /// Written without fraction or exponent.
    public var isIntegerLiteral: Bool { !lexeme.utf8.contains { $0 == UInt8(ascii: ".") || $0 | 0x20 == UInt8(ascii: "e") } }

    /// Mathematically an integer (`2.0` is, `4.5` is not), as JSON Schema's `integer` reads it.
    public var integerValue: Int? {
        if isIntegerLiteral { return Int(lexeme) }
        let value = doubleValue
        guard value.isFinite, value.rounded() == value, abs(value) < 9.0e15 else { return nil }
        return Int(value)
    }

    /// In millionths, rounded (`handle_seconds` in microseconds).
    public var millionths: Int64 { Int64((doubleValue * 1_000_000).rounded()) }
}

public struct JSONObject: Equatable, Sendable {
    public private(set) var members: [(key: String, value: JSONValue)]

    public init(_ members: [(key: String, value: JSONValue)] = []) { self.members = members }

    /// Lengths compared first: most keys differ in theirs, and comparing strings that differ
    /// took the slow path of `==`.
    public subscript(key: String) -> JSONValue? {
        let length = key.utf8.count
        return members.first { $0.key.utf8.count == length && $0.key == key }?.value
    }

    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        lhs.members.count == rhs.members.count
            && zip(lhs.members, rhs.members).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }
}

public struct JSONSyntaxError: Error, Equatable, Sendable {
    public let offset: Int
    public let message: String
}

/// A strict RFC 8259 parser: no NaN or Infinity, no duplicate keys, no lone surrogates,
/// no trailing content, and input that must be valid UTF-8.
public struct JSONParser {
    public static let maximumDepth = 64

    public static func parse(_ bytes: some Collection<UInt8>) throws(JSONSyntaxError) -> JSONValue {
        let array = Array(bytes)
        guard String(validating: array, as: UTF8.self) != nil else { throw invalidUTF8 }
        return try array.withUnsafeBufferPointer { bytes throws(JSONSyntaxError) in try parse(validUTF8: bytes) }
    }

    static let invalidUTF8 = JSONSyntaxError(offset: 0, message: "the line is not valid UTF-8")

    /// Bytes already known to be valid UTF-8, read in place.
    static func parse(validUTF8 bytes: UnsafeBufferPointer<UInt8>) throws(JSONSyntaxError) -> JSONValue {
        var parser = JSONParser(bytes: bytes)
        parser.skipWhitespace()
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        guard parser.position == bytes.count else { throw parser.error("unexpected content after the JSON value") }
        return value
    }

    /// Read in place rather than from an array, which every look at a byte retained and released.
    private let bytes: UnsafeBufferPointer<UInt8>
    private var position = 0

    private init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    private func error(_ message: String) -> JSONSyntaxError {
        JSONSyntaxError(offset: position, message: message)
    }

    private var current: UInt8? { position < bytes.count ? bytes[position] : nil }

    private mutating func skipWhitespace() {
        while let byte = current, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { position += 1 }
    }

    private mutating func expect(_ literal: StaticString) throws(JSONSyntaxError) {
        let start = position
        for byte in UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount) {
            guard current == byte else {
                position = start
                throw error("unexpected character")
            }
            position += 1
        }
    }

    private mutating func parseValue(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        guard depth < Self.maximumDepth else { throw error("nesting deeper than \(Self.maximumDepth) levels") }
        guard let byte = current else { throw error("unexpected end of input") }
        switch byte {
        case UInt8(ascii: "{"): return .object(try parseObject(depth: depth))
        case UInt8(ascii: "["): return .array(try parseArray(depth: depth))
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expect("true"); return .bool(true)
        case UInt8(ascii: "f"): try expect("false"); return .bool(false)
        case UInt8(ascii: "n"): try expect("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default: throw error("unexpected character")
        }
    }

    private mutating func parseObject(depth: Int) throws(JSONSyntaxError) -> JSONObject {
        position += 1
        var members: [(key: String, value: JSONValue)] = []
        // Events have about ten members: a linear scan beats hashing until far more.
        var keys: Set<String>? = nil
        skipWhitespace()
        if current == UInt8(ascii: "}") { position += 1; return JSONObject(members) }
        // Grown one member at a time, the array was allocated four times for an event's six.
        members.reserveCapacity(8)
        while true {
            skipWhitespace()
            guard current == UInt8(ascii: "\"") else { throw error("expected a member name") }
            let keyStart = position
            let key = try parseString()
            let isDuplicate: Bool
            if var seen = keys {
                isDuplicate = !seen.insert(key).inserted
                keys = seen
            } else {
                isDuplicate = members.contains { $0.key == key }
                if members.count == 32 { keys = Set(members.map(\.key) + [key]) }
            }
            guard !isDuplicate else {
                position = keyStart
                throw error("duplicate key \"\(key)\"")
            }
            skipWhitespace()
            guard current == UInt8(ascii: ":") else { throw error("expected ':'") }
            position += 1
            skipWhitespace()
            members.append((key, try parseValue(depth: depth + 1)))
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "}"): position += 1; return JSONObject(members)
            default: throw error("expected ',' or '}'")
            }
        }
    }

    private mutating func parseArray(depth: Int) throws(JSONSyntaxError) -> [JSONValue] {
        position += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if current == UInt8(ascii: "]") { position += 1; return elements }
        while true {
            skipWhitespace()
            elements.append(try parseValue(depth: depth + 1))
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "]"): position += 1; return elements
            default: throw error("expected ',' or ']'")
            }
        }
    }

    private mutating func parseNumber() throws(JSONSyntaxError) -> JSONNumber {
        let start = position
        if current == UInt8(ascii: "-") { position += 1 }
        guard let first = current, isDigit(first) else { throw error("invalid number") }
        position += 1
        if first != UInt8(ascii: "0") { skipDigits() }
        if current == UInt8(ascii: ".") {
            position += 1
            guard let digit = current, isDigit(digit) else { throw error("invalid number") }
            skipDigits()
        }
        if let e = current, e | 0x20 == UInt8(ascii: "e") {
            position += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { position += 1 }
            guard let digit = current, isDigit(digit) else { throw error("invalid number") }
            skipDigits()
        }
        let lexeme = String(decoding: bytes[start..<position], as: UTF8.self)
        guard Double(lexeme)?.isFinite == true else {
            position = start
            throw error("number out of range")
        }
        return JSONNumber(lexeme: lexeme)
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private mutating func skipDigits() {
        while let byte = current, isDigit(byte) { position += 1 }
    }

    private mutating func parseString() throws(JSONSyntaxError) -> String {
        position += 1
        let start = position
        // Fast path: no escapes.
        while let byte = current, byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\"), byte >= 0x20 { position += 1 }
        if current == UInt8(ascii: "\"") {
            position += 1
            return String(decoding: bytes[start..<position - 1], as: UTF8.self)
        }
        var scalars = Array(bytes[start..<position])
        while true {
            guard let byte = current else { throw error("unterminated string") }
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                return String(decoding: scalars, as: UTF8.self)
            case UInt8(ascii: "\\"):
                position += 1
                try parseEscape(into: &scalars)
            case ..<0x20:
                throw error("control character in a string")
            default:
                scalars.append(byte)
                position += 1
            }
        }
    }

    private mutating func parseEscape(into output: inout [UInt8]) throws(JSONSyntaxError) {
        guard let byte = current else { throw error("unterminated string") }
        position += 1
        let simple: UInt8? = switch byte {
        case UInt8(ascii: "\""): UInt8(ascii: "\"")
        case UInt8(ascii: "\\"): UInt8(ascii: "\\")
        case UInt8(ascii: "/"): UInt8(ascii: "/")
        case UInt8(ascii: "b"): 0x08
        case UInt8(ascii: "f"): 0x0C
        case UInt8(ascii: "n"): 0x0A
        case UInt8(ascii: "r"): 0x0D
        case UInt8(ascii: "t"): 0x09
        default: nil
        }
        if let simple {
            output.append(simple)
            return
        }
        guard byte == UInt8(ascii: "u") else { throw error("invalid escape") }
        var code = try parseHex4()
        if (0xD800...0xDBFF).contains(code) {
            guard current == UInt8(ascii: "\\"), position + 1 < bytes.count, bytes[position + 1] == UInt8(ascii: "u") else {
                throw error("lone surrogate in a string")
            }
            position += 2
            let low = try parseHex4()
            guard (0xDC00...0xDFFF).contains(low) else { throw error("lone surrogate in a string") }
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
        } else if (0xDC00...0xDFFF).contains(code) {
            throw error("lone surrogate in a string")
        }
        output.append(contentsOf: Array(String(Character(Unicode.Scalar(code)!)).utf8))
    }

    private mutating func parseHex4() throws(JSONSyntaxError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let byte = current, let digit = hexDigit(byte) else { throw error("invalid \\u escape") }
            value = value << 4 | digit
            position += 1
        }
        return value
    }

    private func hexDigit(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }
}

extension JSONValue {
    /// An integer, as JSON writes it.
    public static func integer(_ value: some BinaryInteger) -> JSONValue { .number(JSONNumber(lexeme: String(value))) }
}

extension JSONValue {
    /// The canonical form that duplicate detection and hashing compare: members sorted by key,
    /// no whitespace, minimal string escapes, integers as integers and other numbers in their
    /// shortest round-trip form (so `1.0` and `1.00` are one content, `1` and `1.0` two).
    public var canonicalBytes: [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(256)
        writeCanonical(into: &output)
        return output
    }

    private func writeCanonical(into output: inout [UInt8]) {
        switch self {
        case .null: output.append(contentsOf: "null".utf8)
        case .bool(let value): output.append(contentsOf: (value ? "true" : "false").utf8)
        case .number(let number): output.append(contentsOf: number.canonicalText.utf8)
        case .string(let string): Self.writeCanonical(string, into: &output)
        case .array(let elements):
            output.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                element.writeCanonical(into: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let object):
            output.append(UInt8(ascii: "{"))
            let members = object.members
            var isFirst = true
            Self.forEachPositionInKeyOrder(of: members) { position in
                if !isFirst { output.append(UInt8(ascii: ",")) }
                isFirst = false
                Self.writeCanonical(members[position].key, into: &output)
                output.append(UInt8(ascii: ":"))
                members[position].value.writeCanonical(into: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    /// Hands `body` the members' positions in key order, sorted by insertion on the stack: an
    /// event has a handful of members, and sorting the members themselves copied each (a fifth
    /// of the decoding). Keys are compared by their first eight bytes, whole only when those tie.
    private static func forEachPositionInKeyOrder(of members: [(key: String, value: JSONValue)], _ body: (Int) -> Void) {
        withUnsafeTemporaryAllocation(of: (prefix: UInt64, position: Int).self, capacity: members.count) { sorted in
            func precedes(_ lhs: (prefix: UInt64, position: Int), _ rhs: (prefix: UInt64, position: Int)) -> Bool {
                lhs.prefix != rhs.prefix ? lhs.prefix < rhs.prefix : members[lhs.position].key.precedesInCodePointOrder(members[rhs.position].key)
            }
            for position in members.indices {
                let entry = (prefix: orderPrefix(of: members[position].key), position: position)
                var slot = position
                while slot > 0, precedes(entry, sorted[slot - 1]) {
                    sorted[slot] = sorted[slot - 1]
                    slot -= 1
                }
                sorted[slot] = entry
            }
            for entry in sorted { body(entry.position) }
        }
    }

    /// The first eight UTF-8 bytes of `key`, big-endian, zeros after its end: ordered as the
    /// keys are, up to ties.
    private static func orderPrefix(of key: String) -> UInt64 {
        var key = key
        return key.withUTF8 { bytes in
            (0..<8).reduce(0) { prefix, index in prefix << 8 | UInt64(index < bytes.count ? bytes[index] : 0) }
        }
    }

    private static func writeCanonical(_ string: String, into output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        var string = string
        string.withUTF8 { bytes in
            var runStart = 0
            for (index, byte) in bytes.enumerated() where byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 {
                output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                runStart = index + 1
                switch byte {
                case UInt8(ascii: "\""): output.append(contentsOf: "\\\"".utf8)
                case UInt8(ascii: "\\"): output.append(contentsOf: "\\\\".utf8)
                default:
                    let hex = Array("0123456789abcdef".utf8)
                    output.append(contentsOf: "\\u00".utf8)
                    output.append(hex[Int(byte >> 4)])
                    output.append(hex[Int(byte & 0xF)])
                }
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...]))
        }
        output.append(UInt8(ascii: "\""))
    }
}

extension JSONNumber {
    var canonicalText: String {
        if isIntegerLiteral, let integer = Int(lexeme) { return String(integer) }
        if isIntegerLiteral { return lexeme }
        return String(doubleValue)
    }
}

extension String {
    /// Code point order, as `at`-ties and canonical keys are sorted (String's own `<` compares
    /// canonical equivalents instead). UTF-8 byte order is code point order.
    public func precedesInCodePointOrder(_ other: String) -> Bool {
        var lhs = self, rhs = other
        return lhs.withUTF8 { left in
            rhs.withUTF8 { right in
                let common = min(left.count, right.count)
                let order = common == 0 ? 0 : memcmp(left.baseAddress!, right.baseAddress!, common)
                return order != 0 ? order < 0 : left.count < right.count
            }
        }
    }
}
