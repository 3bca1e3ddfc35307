import Foundation

/// What a seller's `seller_configured` events say (section 5): the time zone of the earliest,
/// and for each order the configuration in force when it was placed.
public struct SellerSettings: Sendable {
    public static let defaultHandlingDays = 2

    private struct Configuration: Sendable {
        let at: Instant
        let id: String
        let channel: String
        let marketplace: String?
        let handlingDays: Int
    }

    public let calendar: LocalCalendar
    /// The IANA name, as configured (Foundation calls UTC "GMT").
    public let timeZoneName: String
    /// By `at`, then id.
    private let configurations: [Configuration]

    public init(configurationEvents events: [Event]) {
        configurations = events.filter { $0.type == .sellerConfigured }.sorted(by: Event.validTimeOrder).map { event in
            Configuration(at: event.at, id: event.id, channel: event.string("channel") ?? "amazon",
                          marketplace: event.string("marketplace"),
                          handlingDays: event.integer("handling_days") ?? Self.defaultHandlingDays)
        }
        let zone = events.filter { $0.type == .sellerConfigured }.min(by: Event.validTimeOrder)?.configuredTimeZone
        timeZoneName = zone ?? "UTC"
        calendar = TimeZone(identifier: timeZoneName).map(LocalCalendar.init) ?? .utc
    }

    public static let unconfigured = SellerSettings(configurationEvents: [])

    public var channel: String { configurations.last?.channel ?? "amazon" }
    public var marketplace: String? { configurations.last?.marketplace }

    /// The configuration whose `at` is strictly before the order's; before the first, the first.
    public func handlingDays(forOrderPlacedAt at: Instant) -> Int {
        (configurations.last { $0.at < at } ?? configurations.first)?.handlingDays ?? Self.defaultHandlingDays
    }
}

extension Event {
    /// Valid-time order: by `at`, then by event id; never by arrival (section 5).
    public static func validTimeOrder(_ lhs: Event, _ rhs: Event) -> Bool {
        lhs.at != rhs.at ? lhs.at < rhs.at : lhs.id.precedesInCodePointOrder(rhs.id)
    }
}
