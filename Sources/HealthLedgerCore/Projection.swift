/// The kinds of unit: those a metric counts, and the keys of feedback and claims, which no
/// metric counts but whose events every order they name holds.
public enum UnitKind: Int, CaseIterable, Sendable {
    case order, thread, `return`, violation, feedback, claim
}

extension UnitReference {
    public var kind: UnitKind {
        switch self {
        case .order: .order
        case .thread: .thread
        case .return: .return
        case .violation: .violation
        case .feedback: .feedback
        case .claim: .claim
        }
    }

    /// The units an event belongs to: its own, and the order it names (a buyer message naming
    /// an order makes it imperfect); feedback and claims their key (`SharedKeys` takes them on
    /// to the orders).
    public static func affected(by event: some EventFields) -> [UnitReference] {
        guard let fields = UnitFields(of: event.type), let id = event.string(fields.field) else { return [] }
        let own = UnitReference(kind: fields.kind, id: id)
        guard fields.reachesNamedOrder, let order = event.string("order") else { return [own] }
        return [own, .order(order)]
    }

    /// A feedback or claim key.
    public var isSharedKey: Bool { kind.isSharedKey }
}

extension UnitKind {
    var isSharedKey: Bool { self == .feedback || self == .claim }
}

/// Where an event of a type names the unit it belongs to, and whether the order it names (if
/// any) gets it too: read from a decoded event or straight from a stored line's bytes.
struct UnitFields {
    let kind: UnitKind
    /// The field that holds the unit's id; an event without it belongs to no unit.
    let field: String
    let reachesNamedOrder: Bool

    /// Nil for a configuration, which belongs to no unit.
    init?(of type: EventType) {
        switch type {
        case .sellerConfigured: return nil
        case .feedbackPosted, .feedbackRemoved: self.init(kind: .feedback, field: "feedback", reachesNamedOrder: false)
        case .claimFiled, .claimReversed: self.init(kind: .claim, field: "claim", reachesNamedOrder: false)
        case .buyerMessage, .sellerReply, .noReplyNeeded, .threadClosed: self.init(kind: .thread, field: "thread", reachesNamedOrder: true)
        case .returnRequested, .returnHandled, .returnRejectionInvalid, .returnFeedback: self.init(kind: .return, field: "return", reachesNamedOrder: true)
        case .policyViolation: self.init(kind: .violation, field: "violation", reachesNamedOrder: true)
        default: self.init(kind: .order, field: "order", reachesNamedOrder: false)
        }
    }

    private init(kind: UnitKind, field: String, reachesNamedOrder: Bool) {
        self.kind = kind
        self.field = field
        self.reachesNamedOrder = reachesNamedOrder
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

    public static func += (lhs: inout Counts, rhs: Counts) {
        lhs.numerator += rhs.numerator
        lhs.denominator += rhs.denominator
    }

    public static prefix func - (counts: Counts) -> Counts { Counts(numerator: -counts.numerator, denominator: -counts.denominator) }

    public var isZero: Bool { numerator == 0 && denominator == 0 }
}

/// Where a change lands: metric (by its index in `MetricCatalog.all`) and day.
public struct DeltaKey: Hashable, Comparable, Sendable {
    public let metric: Int
    public let day: Int

    public static func < (lhs: DeltaKey, rhs: DeltaKey) -> Bool { (lhs.metric, lhs.day) < (rhs.metric, rhs.day) }

    public init(metric: Int, day: Int) {
        self.metric = metric
        self.day = day
    }
}

/// A unit's part in every metric, as daily deltas: the value as of D is the sum of all deltas
/// of days ≤ D. A unit that counts for the days [s, e] adds its counts on s and takes them
/// back on e + 1. In no order, and a day may have more than one delta: only their sum counts.
public struct Contribution: Sendable {
    public private(set) var deltas: [(key: DeltaKey, counts: Counts)] = []

    public init() {}

    init(capacity: Int) { deltas.reserveCapacity(capacity) }

    mutating func add(_ counts: Counts, metric: Int, days: ClosedRange<Int>) {
        deltas.append((DeltaKey(metric: metric, day: days.lowerBound), counts))
        deltas.append((DeltaKey(metric: metric, day: days.upperBound + 1), -counts))
    }
}

/// The sum of many contributions, added and taken away: what one append changes.
public struct ContributionSum: Sendable {
    private var metrics = [DaySums](repeating: DaySums(), count: MetricCatalog.all.count)

    public init() {}

    public mutating func add(_ contribution: Contribution) {
        for delta in contribution.deltas { metrics[delta.key.metric].add(delta.counts, on: delta.key.day) }
    }

    public mutating func subtract(_ contribution: Contribution) {
        for delta in contribution.deltas { metrics[delta.key.metric].add(-delta.counts, on: delta.key.day) }
    }

    public mutating func add(_ other: ContributionSum) {
        for (metric, sums) in other.metrics.enumerated() {
            sums.forEachNonZero { day, counts in metrics[metric].add(counts, on: day) }
        }
    }

    /// The non-zero changes.
    public var deltas: [(key: DeltaKey, counts: Counts)] {
        var deltas: [(key: DeltaKey, counts: Counts)] = []
        for (metric, sums) in metrics.enumerated() {
            sums.forEachNonZero { day, counts in deltas.append((DeltaKey(metric: metric, day: day), counts)) }
        }
        return deltas
    }
}

/// One metric's sums by day: in an array over the days most changes land on, which a sum adds
/// to without hashing (a replay spent an eighth of its instructions on a dictionary of days);
/// in a dictionary for days beyond `span` of them.
struct DaySums: Sendable {
    /// Twenty years of days.
    static let span = 20 * 366
    /// The day of `dense[0]`.
    private var firstDay = 0
    private var dense: [Counts] = []
    private var outliers: [Int: Counts] = [:]

    mutating func add(_ counts: Counts, on day: Int) {
        // Most days are in the array already.
        if !dense.indices.contains(day - firstDay) { makeRoom(for: day) }
        let offset = day - firstDay
        if dense.indices.contains(offset) {
            dense[offset] += counts
        } else {
            outliers[day, default: Counts()] += counts
        }
    }

    /// Grows the array to hold `day`, unless that would take it past `span` days.
    private mutating func makeRoom(for day: Int) {
        if dense.isEmpty {
            firstDay = day
        } else if day < firstDay, firstDay - day + dense.count <= Self.span {
            // At least doubles toward the past, so that days met in descending order cost no more than ascending ones.
            let added = min(max(firstDay - day, dense.count), Self.span - dense.count)
            dense.insert(contentsOf: repeatElement(Counts(), count: added), at: 0)
            firstDay -= added
        }
        let offset = day - firstDay
        if offset >= dense.count, offset < Self.span {
            dense.append(contentsOf: repeatElement(Counts(), count: offset + 1 - dense.count))
        }
    }

    /// Each day whose sum is not zero, with it.
    func forEachNonZero(_ body: (Int, Counts) -> Void) {
        for (offset, counts) in dense.enumerated() where !counts.isZero { body(firstDay + offset, counts) }
        for (day, counts) in outliers where !counts.isZero { body(day, counts) }
    }
}

/// The one machinery every metric goes through.
public enum Projection {
    /// What the measuring of each kind of unit reads of its metrics: copying whole definitions
    /// in the innermost loop would retain and release every field of each.
    private static let metricsByKind: [[(index: Int, windowDays: Int, measurement: Measurement)]] = UnitKind.allCases.map { kind in
        MetricCatalog.all.enumerated().filter { $0.element.unitKind == kind }.map { ($0.offset, $0.element.windowDays, $0.element.measurement) }
    }

    /// The measures of one unit as of one day, for every metric of its kind: the direct
    /// reading of the definitions. `events` in valid-time order.
    public static func measures(unit: UnitReference, events: [UnitEvent], settings: SellerSettings, asOf: AsOf) -> [(metric: Int, measure: Measure)] {
        guard let facts = UnitFacts(unit: unit, events: events, settings: settings, asOf: asOf) else { return [] }
        var measures: [(metric: Int, measure: Measure)] = []
        forEachMeasure(of: facts, kind: unit.kind) { metric, _, measure in measures.append((metric, measure)) }
        return measures
    }

    /// `body` hears each metric's index and window, and its measure; the facts are read in place.
    private static func forEachMeasure(of facts: some MeasuredFacts, kind: UnitKind, _ body: (Int, Int, Measure) -> Void) {
        for (index, windowDays, measurement) in metricsByKind[kind.rawValue] {
            facts.measure(by: measurement) { body(index, windowDays, $0) }
        }
    }

    /// A unit's contribution to every day, or only to the days from `firstDay` on: its measures
    /// change only on the days of its events and of its deadlines, so it is measured once per
    /// such day and holds until the next.
    ///
    /// An event of day d changes nothing before d, so the change it makes is the difference of
    /// the contributions from d on, with and without it: a late unit is measured on its last few
    /// days, not on all of them.
    public static func contribution(unit: UnitReference, events: [UnitEvent], settings: SellerSettings, from firstDay: Int? = nil) -> Contribution {
        let kind = unit.kind
        let calendar = settings.calendar
        // An order's first placement, worked out once for its deadlines and its facts.
        let placement = kind == .order ? OrderFacts.firstPlacement(in: events, settings: settings) : nil
        // In one array, sorted in place: a unit's few days cost more in allocations than in work.
        var changeDays: [Int] = []
        changeDays.reserveCapacity(2 * events.count + 2)
        // By index: a copy of each event would retain and release its strings.
        for index in events.indices { changeDays.append(calendar.day(of: events[index].at)) }
        switch kind {
        case .order: placement?.addDeadlineDays(calendar: calendar, to: &changeDays)
        case .thread: ThreadFacts.addDeadlineDays(of: events, calendar: calendar, to: &changeDays)
        case .return: ReturnFacts.addDeadlineDays(of: events, calendar: calendar, to: &changeDays)
        case .violation, .feedback, .claim: break
        }
        changeDays.sortAndRemoveDuplicates()
        if let firstDay {
            changeDays = [firstDay] + changeDays.drop { $0 <= firstDay }
        }
        guard !events.isEmpty, let start = changeDays.first.map({ AsOf(day: $0, calendar: calendar) }) else { return Contribution() }
        return switch unit {
        case .order(let order):
            contribution(of: OrderFacts(order: order, events: events, placement: placement, calendar: calendar, asOf: start), changeDays: changeDays, kind: kind)
        case .thread: contribution(of: ThreadFacts(events: events, calendar: calendar, asOf: start), changeDays: changeDays, kind: kind)
        case .return: contribution(of: ReturnFacts(events: events, calendar: calendar, asOf: start), changeDays: changeDays, kind: kind)
        case .violation: contribution(of: ViolationFacts(events: events, calendar: calendar, asOf: start), changeDays: changeDays, kind: kind)
        case .feedback, .claim: Contribution()
        }
    }

    /// Advances and measures the concrete facts in place, so that their collections are never
    /// copied. A measure that stays the same from one change day to the next extends its run of
    /// days, so a unit's deltas come out few and need no sorting.
    private static func contribution<Facts: AdvancingFacts & MeasuredFacts>(of facts: consuming Facts, changeDays: [Int], kind: UnitKind) -> Contribution {
        var facts = facts
        // Most units hold one run a metric: reserved at once, the arrays are not grown step by step.
        let metricCount = metricsByKind[kind.rawValue].count
        var runs: [MeasureRun] = []
        runs.reserveCapacity(metricCount)
        var contribution = Contribution(capacity: 2 * metricCount)
        for (position, day) in changeDays.enumerated() {
            let lastDayOfSegment = position + 1 < changeDays.count ? changeDays[position + 1] - 1 : Int.max - 1
            facts.advance(to: AsOf(day: day, calendar: facts.calendar))
            forEachMeasure(of: facts, kind: kind) { metric, window, measure in
                let first = max(day, measure.day)
                let last = min(lastDayOfSegment, measure.day + window - 1)
                guard first <= last else { return }
                let run = MeasureRun(metric: metric, measure: measure, days: first...last)
                if let index = runs.firstIndex(where: { $0.metric == metric && $0.measure == measure }) {
                    if !runs[index].extend(with: run) {
                        contribution.add(runs[index])
                        runs[index] = run
                    }
                } else {
                    runs.append(run)
                }
            }
        }
        for run in runs { contribution.add(run) }
        return contribution
    }
}

extension [Int] {
    /// Sorts the values and keeps each once.
    fileprivate mutating func sortAndRemoveDuplicates() {
        sort()
        var kept = 0
        for index in indices where kept == 0 || self[index] != self[kept - 1] {
            self[kept] = self[index]
            kept += 1
        }
        removeLast(count - kept)
    }
}

/// One measure of a metric, held over consecutive days.
private struct MeasureRun {
    let metric: Int
    let measure: Measure
    var days: ClosedRange<Int>

    /// Takes in `next` when it continues this run; false when it does not.
    mutating func extend(with next: MeasureRun) -> Bool {
        guard next.days.lowerBound == days.upperBound + 1 else { return false }
        days = days.lowerBound...next.days.upperBound
        return true
    }
}

extension Contribution {
    fileprivate mutating func add(_ run: MeasureRun) {
        add(Counts(numerator: run.measure.numerator, denominator: run.measure.denominator), metric: run.metric, days: run.days)
    }
}
