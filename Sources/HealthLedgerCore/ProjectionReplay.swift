import Dispatch

/// The projection folded from scratch: every event of a log, in any order, grouped into the
/// unit histories it builds, and each seller's counters computed from them. What the
/// incremental projection must equal, and how a past recorded time is answered.
public struct ProjectionReplay: Sendable {
    public internal(set) var eventCount = 0
    /// The events folded, split by the hash of their first unit into one shard a core, so that
    /// the cores fold a batch at once, each into its own shard; configurations are kept whole.
    var shards = [Shard](repeating: Shard(), count: ProjectionReplay.shardCount)
    var configurations: [String: [Event]] = [:]

    struct Shard: Sendable {
        /// Each seller's unit histories, as folded.
        var units: [String: [UnitReference: [UnitEvent]]] = [:]
        /// Each seller's events whose first unit is in the shard.
        var eventCounts: [String: Int] = [:]
    }

    static let shardCount = ParallelMap.cores

    static func shard(of unit: UnitReference) -> Int { Int(UInt(bitPattern: unit.hashValue) % UInt(shardCount)) }

    public init() {}

    public mutating func add(_ event: Event) { add([ReplayedEvent(event)]) }

    /// Folds a batch of events, every shard on a core of its own.
    public mutating func add(_ events: [ReplayedEvent]) {
        eventCount += events.count
        for event in events {
            if let configuration = event.configuration { configurations[event.seller, default: []].append(configuration) }
        }
        shards.withUnsafeMutableBufferPointer { shards in
            nonisolated(unsafe) let shards = shards
            @Sendable func fold(shard: Int) {
                for event in events {
                    // A configuration has no unit: the first shard counts it.
                    if (event.unitEvents.first?.shard ?? 0) == shard { shards[shard].eventCounts[event.seller, default: 0] += 1 }
                    for (unit, unitEvent, eventShard) in event.unitEvents where eventShard == shard {
                        shards[shard].units[event.seller, default: [:]][unit, default: []].append(unitEvent)
                    }
                }
            }
            // Each iteration writes its own shard only; a few events are not worth the threads.
            if events.count < 256 {
                shards.indices.forEach(fold)
            } else {
                DispatchQueue.concurrentPerform(iterations: shards.count) { fold(shard: $0) }
            }
        }
    }

    func eventCount(of seller: String) -> Int { shards.reduce(0) { $0 + ($1.eventCounts[seller] ?? 0) } }

    public var sellers: Set<String> { shards.reduce(Set(configurations.keys)) { $0.union($1.units.keys) } }

    public func settings(of seller: String) -> SellerSettings {
        SellerSettings(configurationEvents: configurations[seller] ?? [])
    }

    /// The seller's units with their events as folded, in no order.
    func units(of seller: String) -> [(unit: UnitReference, events: [UnitEvent])] {
        shards.flatMap { ($0.units[seller] ?? [:]).map { ($0.key, $0.value) } }
    }

    /// The seller's unit histories, each in valid-time order, the events of feedback and claim
    /// keys also in every order they name.
    public func histories(of seller: String) -> [(unit: UnitReference, events: [UnitEvent])] {
        var units = units(of: seller)
        var named: [UnitReference: [UnitEvent]] = [:]
        for (key, events) in units where key.isSharedKey {
            for order in SharedKeys.orders(holding: events) { named[.order(order), default: []] += events }
        }
        if !named.isEmpty {
            for index in units.indices {
                if let events = named.removeValue(forKey: units[index].unit) { units[index].events += events }
            }
            units += named.map { ($0.key, $0.value) }
        }
        return units.map { ($0.unit, $0.events.sorted(by: UnitEvent.validTimeOrder)) }
    }

    /// The seller's daily deltas, from its unit histories.
    public func deltas(of seller: String) -> ContributionSum {
        Self.deltas(of: histories(of: seller), settings: settings(of: seller))
    }

    /// The sum of the units' contributions, computed on every core.
    public static func deltas(of histories: [(unit: UnitReference, events: [UnitEvent])], settings: SellerSettings) -> ContributionSum {
        var total = ContributionSum()
        for contribution in ParallelMap.map(histories, { Projection.contribution(unit: $0.unit, events: $0.events, settings: settings) }) {
            total.add(contribution)
        }
        return total
    }
}

/// What a replay keeps of one event, worked out apart from the fold, so that a replay can do
/// it for many events on every core and fold them in order.
public struct ReplayedEvent: Sendable {
    public let seller: String
    public let configuration: Event?
    /// With the replay's shard of each unit.
    public let unitEvents: [(unit: UnitReference, event: UnitEvent, shard: Int)]

    /// Stands for a line that could not be read, in a batch that is not folded.
    public static let unreadable = ReplayedEvent(seller: "", configuration: nil, unitEvents: [])

    private init(seller: String, configuration: Event?, unitEvents: [(unit: UnitReference, event: UnitEvent, shard: Int)]) {
        self.seller = seller
        self.configuration = configuration
        self.unitEvents = unitEvents
    }

    public init(_ event: Event) {
        seller = event.seller
        configuration = event.type == .sellerConfigured ? event : nil
        unitEvents = configuration == nil ? Self.sharded(UnitReference.unitEvents(of: event)) : []
    }

    init(unitEventsOf line: StoredLine) {
        seller = line.seller
        configuration = nil
        unitEvents = Self.sharded(UnitReference.unitEvents(of: line))
    }

    private static func sharded(_ unitEvents: [(unit: UnitReference, event: UnitEvent)]) -> [(unit: UnitReference, event: UnitEvent, shard: Int)] {
        unitEvents.map { ($0.unit, $0.event, ProjectionReplay.shard(of: $0.unit)) }
    }
}

/// A metric and day on which the projection and a replay disagree, with the value each gives
/// as of that day.
public struct ProjectionDifference: Equatable, Sendable, CustomStringConvertible {
    public let seller: String
    public let metric: String
    public let day: CivilDate
    public let projected: Counts
    public let replayed: Counts

    public var description: String {
        "seller \(seller), \(metric) as of \(day): the projection has \(projected.numerator) of \(projected.denominator), a replay \(replayed.numerator) of \(replayed.denominator)"
    }

    /// Every day whose delta differs, as values: equal deltas on every day mean equal values on every day.
    public static func between(projected: [DeltaKey: Counts], replayed: [DeltaKey: Counts], seller: String) -> [ProjectionDifference] {
        let differing = Set(projected.keys).union(replayed.keys).filter { projected[$0] != replayed[$0] }.sorted()
        func value(_ deltas: [DeltaKey: Counts], metric: Int, asOf day: Int) -> Counts {
            deltas.reduce(Counts()) { sum, delta in delta.key.metric == metric && delta.key.day <= day ? sum + delta.value : sum }
        }
        return differing.map { key in
            ProjectionDifference(seller: seller, metric: MetricCatalog.all[key.metric].id, day: CivilDate(daysSinceEpoch: key.day),
                                 projected: value(projected, metric: key.metric, asOf: key.day),
                                 replayed: value(replayed, metric: key.metric, asOf: key.day))
        }
    }
}

extension ContributionSum {
    public var byKey: [DeltaKey: Counts] { Dictionary(uniqueKeysWithValues: deltas.map { ($0.key, $0.counts) }) }
}
