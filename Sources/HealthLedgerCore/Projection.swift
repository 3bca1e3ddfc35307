/// The kinds of unit a metric counts.
public enum UnitKind: Sendable {
    case order, thread, `return`, violation
}

extension UnitReference {
    public var kind: UnitKind {
        switch self {
        case .order: .order
        case .thread: .thread
        case .return: .return
        case .violation: .violation
        }
    }

    /// The units whose metrics an event can change: its own, and the order it names (a buyer
    /// message naming an order makes it imperfect).
    public static func affected(by event: Event) -> [UnitReference] {
        guard let unit = event.unit else { return [] }
        if case .order = unit { return [unit] }
        return [unit] + (event.string("order").map { [.order($0)] } ?? [])
    }
}

/// The numerator and denominator of a metric, or their change.
public struct Counts: Equatable, Sendable {
    public var numerator: Int64
    public var denominator: Int64

    public init(numerator: Int64 = 0, denominator: Int64 = 0) {
        self.numerator = numerator
        self.denominator = denominator
    }

    public static func + (lhs: Counts, rhs: Counts) -> Counts {
        Counts(numerator: lhs.numerator + rhs.numerator, denominator: lhs.denominator + rhs.denominator)
    }

    public static prefix func - (counts: Counts) -> Counts { Counts(numerator: -counts.numerator, denominator: -counts.denominator) }

    public var isZero: Bool { numerator == 0 && denominator == 0 }
}

/// Where a change lands: metric (by its index in `MetricCatalog.all`) and day.
public struct DeltaKey: Hashable, Sendable {
    public let metric: Int
    public let day: Int
}

/// A unit's part in every metric, as daily deltas: the value as of D is the sum of all deltas
/// of days ≤ D. A unit that counts for the days [s, e] adds its counts on s and takes them
/// back on e + 1.
public struct Contribution: Equatable, Sendable {
    public private(set) var deltas: [DeltaKey: Counts] = [:]

    public init() {}

    mutating func add(_ counts: Counts, metric: Int, days: ClosedRange<Int>) {
        add(counts, at: DeltaKey(metric: metric, day: days.lowerBound))
        add(-counts, at: DeltaKey(metric: metric, day: days.upperBound + 1))
    }

    private mutating func add(_ counts: Counts, at key: DeltaKey) {
        let sum = (deltas[key] ?? Counts()) + counts
        deltas[key] = sum.isZero ? nil : sum
    }

    public mutating func add(_ other: Contribution) {
        for (key, counts) in other.deltas { add(counts, at: key) }
    }

    public mutating func subtract(_ other: Contribution) {
        for (key, counts) in other.deltas { add(-counts, at: key) }
    }
}

/// The one machinery every metric goes through.
public enum Projection {
    private static let metricsByKind: [UnitKind: [(index: Int, definition: MetricDefinition)]] =
        Dictionary(grouping: MetricCatalog.all.enumerated().map { ($0.offset, $0.element) }, by: \.definition.unitKind)

    /// The measures of one unit as of one day, for every metric of its kind: the direct
    /// reading of the definitions. `events` in valid-time order.
    public static func measures(kind: UnitKind, events: [Event], settings: SellerSettings, asOf: AsOf) -> [(metric: Int, measure: Measure)] {
        let facts = UnitFacts(kind: kind, events: events, settings: settings, asOf: asOf)
        return (metricsByKind[kind] ?? []).flatMap { index, definition in
            definition.measurement.measures(of: facts).map { (index, $0) }
        }
    }

    /// A unit's contribution to every day: its measures change only on the days of its events
    /// and of its deadlines, so it is measured once per such day and holds until the next.
    public static func contribution(kind: UnitKind, events: [Event], settings: SellerSettings) -> Contribution {
        let calendar = settings.calendar
        var days = Set(events.map { calendar.day(of: $0.at) })
        switch kind {
        case .order: days.formUnion(OrderFacts.deadlineDays(events: events, settings: settings))
        case .thread: days.formUnion(ThreadFacts.deadlineDays(events: events, calendar: calendar))
        case .return: days.formUnion(ReturnFacts.deadlineDays(events: events, calendar: calendar))
        case .violation: break
        }
        let changeDays = days.sorted()
        var contribution = Contribution()
        for (position, day) in changeDays.enumerated() {
            let lastDayOfSegment = position + 1 < changeDays.count ? changeDays[position + 1] - 1 : Int.max - 1
            for (metric, measure) in measures(kind: kind, events: events, settings: settings, asOf: AsOf(day: day, calendar: calendar)) {
                let window = MetricCatalog.all[metric].windowDays
                let first = max(day, measure.day)
                let last = min(lastDayOfSegment, measure.day + window - 1)
                if first <= last {
                    contribution.add(Counts(numerator: measure.numerator, denominator: measure.denominator), metric: metric, days: first...last)
                }
            }
        }
        return contribution
    }
}
