/// The rejection classes of section 5.
public enum RejectionReason: String, CaseIterable, Sendable {
    case badJSON = "bad_json"
    case notObject = "not_object"
    case missingField = "missing_field"
    case wrongType = "wrong_type"
    case badEnum = "bad_enum"
    case badTimestamp = "bad_timestamp"
    case outOfRange = "out_of_range"
    case badLength = "bad_length"
    case conflictingDuplicateID = "conflicting_duplicate_id"
    case atAfterRecorded = "at_after_recorded"
    case timeZoneChange = "time_zone_change"
}

public struct Rejection: Error, Equatable, Sendable, CustomStringConvertible {
    public let reason: RejectionReason
    /// The offending field, or `-` when the line as a whole is at fault.
    public let field: String
    public let message: String

    public init(_ reason: RejectionReason, field: String = "-", _ message: String) {
        self.reason = reason
        self.field = field
        self.message = message
    }

    /// `field: reason: sentence`, the part of `FILE:LINE: field: reason` after the location.
    public var description: String { "\(field): \(reason.rawValue): \(message)" }
}

public struct DecodedEvent: Sendable {
    public let event: Event
    /// The line as written.
    public let json: String
    /// The canonical JSON that duplicate detection compares and the hash chain covers.
    public let canonicalJSON: [UInt8]
}

/// Turns one NDJSON line into a valid event or a rejection. Checks that need the log
/// (duplicates, time-zone changes, the 24 h rule) are in `AdmissionRules`.
public enum EventDecoder {
    /// Longer lines are rejected unread; no valid event comes near this size.
    public static let maximumLineBytes = 1 << 20

    /// A line past `maximumLineBytes`, which a reader can report without holding it.
    public static let lineTooLong = Rejection(.badLength, "the line is longer than \(maximumLineBytes) bytes")

    /// Blank lines are skipped, not rejected.
    public static func isBlank(_ line: some Collection<UInt8>) -> Bool {
        line.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }
    }

    public static func decode(_ line: some Collection<UInt8>) -> Result<DecodedEvent, Rejection> {
        guard line.count <= maximumLineBytes else {
            return .failure(lineTooLong)
        }
        func invalid(_ error: JSONSyntaxError) -> Result<DecodedEvent, Rejection> {
            .failure(Rejection(.badJSON, "invalid JSON at byte \(error.offset + 1): \(error.message)"))
        }
        // The line as text, kept as the event's `json`: its validation is the parser's too.
        guard var json = String(validating: line, as: UTF8.self) else { return invalid(JSONParser.invalidUTF8) }
        let parsed = json.withUTF8 { bytes in Result { () throws(JSONSyntaxError) in try JSONParser.parse(validUTF8: bytes) } }
        let value: JSONValue
        switch parsed {
        case .success(let parsed): value = parsed
        case .failure(let error): return invalid(error)
        }
        guard case .object(let object) = value else {
            return .failure(Rejection(.notObject, "the line is JSON but not an object"))
        }
        return decode(object).map { DecodedEvent(event: $0, json: json, canonicalJSON: value.canonicalBytes) }
    }

    /// An event the log already holds: parsed and checked again, without the canonical form.
    /// A `String` is valid UTF-8, so its bytes are parsed in place, not copied and validated.
    public static func decodeStored(_ json: String) -> Result<Event, Rejection> {
        var json = json
        guard case .object(let object)? = json.withUTF8({ try? JSONParser.parse(validUTF8: $0) }) else {
            return .failure(Rejection(.notObject, "the stored line is not a JSON object"))
        }
        return decode(object)
    }

    public static func decode(_ object: JSONObject) -> Result<Event, Rejection> {
        do {
            for rule in EventSchema.envelope { try check(rule, in: object) }
            guard case .string(let typeName)? = object["type"], let type = EventType(rawValue: typeName),
                  case .string(let id)? = object["id"], case .string(let seller)? = object["seller"],
                  case .string(let atText)? = object["at"], let at = Instant(rfc3339: atText)
            else { preconditionFailure("the envelope was checked") }
            for rule in EventSchema.of(type).fields { try check(rule, in: object) }
            return .success(Event(id: id, type: type, seller: seller, at: at, object: object))
        } catch let rejection as Rejection {
            return .failure(rejection)
        } catch {
            preconditionFailure("check throws only rejections")
        }
    }

    /// Whether `string` holds a number of characters (scalars) in `length`, counted only when
    /// its UTF-8 size leaves it open: n bytes hold n/4 to n scalars.
    private static func has(_ string: String, lengthIn length: ClosedRange<Int>) -> Bool {
        let bytes = string.utf8.count
        return length.contains((bytes + 3) / 4) && length.contains(bytes) || length.contains(string.unicodeScalars.count)
    }

    private static func check(_ rule: FieldRule, in object: JSONObject) throws {
        let field = rule.name
        guard let value = object[field], value != .null else {
            if rule.isRequired { throw Rejection(.missingField, field: field, "required field is missing") }
            return
        }
        switch rule.kind {
        case .string(let length):
            guard case .string(let string) = value else { throw wrongType(field, "a string", value) }
            if let length, !Self.has(string, lengthIn: length) {
                throw Rejection(.badLength, field: field, "must be \(length.lowerBound) to \(length.upperBound) characters long, got \(string.unicodeScalars.count)")
            }
        case .timestamp:
            guard case .string(let string) = value else { throw wrongType(field, "an RFC 3339 timestamp string", value) }
            guard Instant(rfc3339: string) != nil else {
                throw Rejection(.badTimestamp, field: field, "\"\(string.prefix(40))\" is not an RFC 3339 timestamp with offset (like 2026-03-01T14:05:00Z)")
            }
        case .integer(let range):
            guard case .number(let number) = value, let integer = number.integerValue else {
                if case .number(let number) = value, number.doubleValue.isFinite, number.doubleValue.rounded() == number.doubleValue {
                    throw Rejection(.outOfRange, field: field, "must be an integer from \(range.lowerBound) to \(range.upperBound), got \(number.lexeme)")
                }
                throw wrongType(field, "an integer", value)
            }
            guard range.contains(integer) else {
                throw Rejection(.outOfRange, field: field, "must be an integer from \(range.lowerBound) to \(range.upperBound), got \(integer)")
            }
        case .number(let minimum):
            guard case .number(let number) = value else { throw wrongType(field, "a number", value) }
            if let minimum, number.doubleValue < minimum {
                throw Rejection(.outOfRange, field: field, "must be at least \(minimum), got \(number.lexeme)")
            }
        case .boolean:
            guard case .bool = value else { throw wrongType(field, "true or false", value) }
        case .oneOf(let allowed):
            guard case .string(let string) = value else { throw wrongType(field, "a string", value) }
            guard allowed.contains(string) else {
                let shown = allowed.count > 8 ? "a known value" : "one of " + allowed.joined(separator: ", ")
                throw Rejection(.badEnum, field: field, "\"\(string.prefix(40))\" is not \(shown)")
            }
        case .timeZone:
            guard case .string(let string) = value else { throw wrongType(field, "an IANA time zone name", value) }
            guard TimeZoneDatabase.identifiers.contains(string) else {
                throw Rejection(.badEnum, field: field, "\"\(string.prefix(40))\" is not an IANA time zone name")
            }
        }
    }

    private static func wrongType(_ field: String, _ expected: String, _ value: JSONValue) -> Rejection {
        let actual = switch value {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
        return Rejection(.wrongType, field: field, "must be \(expected), got \(actual)")
    }
}

/// The ingestion rules that depend on what the log already holds (section 1, section 5).
public enum AdmissionRules {
    public static let maximumLeadHours: Int64 = 24

    /// `at − recorded > 24 h` is rejected; exactly 24 h is accepted.
    public static func checkRecordedTime(at: Instant, recordedAt: Instant) -> Rejection? {
        guard at > recordedAt.adding(hours: maximumLeadHours) else { return nil }
        return Rejection(.atAfterRecorded, field: "at", "is more than \(maximumLeadHours) h after the recorded time \(recordedAt.rfc3339)")
    }

    /// A seller's time zone never changes once a configuration has set it.
    public static func checkTimeZone(seller: String, stated: String?, established: String?) -> Rejection? {
        guard let stated, let established, stated != established else { return nil }
        return Rejection(.timeZoneChange, field: "time_zone", "seller \"\(seller)\" is configured in \(established); \(stated) would change its days")
    }

    public static func conflict(id: String) -> Rejection {
        Rejection(.conflictingDuplicateID, field: "id", "\"\(id)\" is already in the log with different content")
    }
}
