/// A valid contract event. `object` is the whole line as parsed, unknown fields included.
public struct Event: Sendable {
    public let id: String
    public let type: EventType
    public let seller: String
    public let at: Instant
    public let object: JSONObject

    /// A present, non-null string field.
    public func string(_ field: String) -> String? {
        if case .string(let value)? = object[field] { return value }
        return nil
    }

    public func number(_ field: String) -> JSONNumber? {
        if case .number(let number)? = object[field] { return number }
        return nil
    }

    public func bool(_ field: String) -> Bool? {
        if case .bool(let value)? = object[field] { return value }
        return nil
    }
}

/// An event's fields as the metrics read them: from a decoded `Event`, or in place from a line
/// the log holds (`StoredLine`), so that both give one reading.
public protocol EventFields {
    var id: String { get }
    var type: EventType { get }
    var seller: String { get }
    var at: Instant { get }
    /// A present, non-null string field.
    func string(_ field: String) -> String?
    func number(_ field: String) -> JSONNumber?
    func bool(_ field: String) -> Bool?
    func instant(_ field: String) -> Instant?
}

extension Event: EventFields {}

extension EventFields {
    public func instant(_ field: String) -> Instant? { string(field).flatMap(Instant.init(rfc3339:)) }

    /// A present integer field (`2.0` included).
    public func integer(_ field: String) -> Int? { number(field)?.integerValue }

    /// A number field in millionths (`handle_seconds`, `amount`).
    public func micros(_ field: String) -> Int64? { number(field)?.millionths }

    /// The unit whose story this event belongs to, for `events --order/--thread/--return`:
    /// its own (`UnitFields`), or for feedback and claims the order they name.
    public var unit: UnitReference? {
        guard let fields = UnitFields(of: type) else { return nil }
        if fields.kind.isSharedKey { return string("order").map { .order($0) } }
        return string(fields.field).map { UnitReference(kind: fields.kind, id: $0) }
    }
}

extension Event {
    /// The time zone a `seller_configured` event states (omitted means UTC, section 5).
    public var configuredTimeZone: String? {
        type == .sellerConfigured ? string("time_zone") ?? "UTC" : nil
    }
}

public enum UnitReference: Hashable, Sendable {
    case order(String)
    case thread(String)
    case `return`(String)
    case violation(String)
    /// Feedback and claims are keyed by their own ids (section 5); their events reach the
    /// orders they name through these.
    case feedback(String)
    case claim(String)

    /// The key the store keeps a unit's events by.
    public var key: String {
        switch self {
        case .order(let id): "order:" + id
        case .thread(let id): "thread:" + id
        case .return(let id): "return:" + id
        case .violation(let id): "violation:" + id
        case .feedback(let id): "feedback:" + id
        case .claim(let id): "claim:" + id
        }
    }

    /// The inverse of `key`.
    public init?(key: String) {
        guard let colon = key.firstIndex(of: ":") else { return nil }
        let kind: UnitKind
        switch key[..<colon] {
        case "order": kind = .order
        case "thread": kind = .thread
        case "return": kind = .return
        case "violation": kind = .violation
        case "feedback": kind = .feedback
        case "claim": kind = .claim
        default: return nil
        }
        self.init(kind: kind, id: String(key[key.index(after: colon)...]))
    }

    public init(kind: UnitKind, id: String) {
        switch kind {
        case .order: self = .order(id)
        case .thread: self = .thread(id)
        case .return: self = .return(id)
        case .violation: self = .violation(id)
        case .feedback: self = .feedback(id)
        case .claim: self = .claim(id)
        }
    }

    /// The unit's own id, whatever its kind.
    public var id: String {
        switch self {
        case .order(let id), .thread(let id), .return(let id), .violation(let id), .feedback(let id), .claim(let id): id
        }
    }
}
