import Dispatch
import Foundation
import GRDB
import HealthLedgerCore

/// A unit's events as the log holds them: its own, and for an order those of the messages,
/// returns and violations that name it.
struct UnitQuery {
    static let configurationKey = "configuration"

    let sql: String
    let arguments: StatementArguments

    init(seller: String, unit: UnitReference?, columns: String, upTo lastSequence: Int64? = nil) {
        var sql = "SELECT \(columns) FROM events WHERE seller = ?"
        var arguments: StatementArguments = [seller]
        if let lastSequence {
            sql += " AND seq <= ?"
            arguments += [lastSequence]
        }
        if let unit {
            sql += " AND (unit = ?"
            arguments += [unit.key]
            if case .order(let order) = unit {
                sql += " OR order_ref = ?"
                arguments += [order]
            }
            sql += ")"
        }
        self.sql = sql + " ORDER BY at_us, id"
        self.arguments = arguments
    }
}

/// Keeps `metric_deltas` equal to the sum of every unit's contribution, inside the
/// transaction that appends the events: the work per event is bounded by its units' events.
final class Projector {
    let db: Database
    private let cache: UnitCache?
    /// Units as this transaction leaves them, for the cache once it commits.
    private(set) var updated: [SellerUnit: UnitCache.Entry] = [:]
    /// A seller was rebuilt: cached units may hold old settings.
    private(set) var rebuiltSellers = false

    init(db: Database, cache: UnitCache? = nil) {
        self.db = db
        self.cache = cache
    }

    /// Folds the events appended after `previousHead`, up to `head`, into the projection.
    func apply(_ appended: [PreparedEvent], previousHead: Int64, head: Int64) throws {
        for (seller, events) in Dictionary(grouping: appended, by: \.event.seller) {
            if events.contains(where: { $0.event.type == .sellerConfigured }) {
                // A configuration can move every order's expected ship date, or every day.
                try rebuild(seller: seller)
                continue
            }
            let settings = try self.settings(of: seller)
            var change = ContributionSum()
            var appendedTo: [UnitReference: [Event]] = [:]
            for event in events {
                for unit in event.affectedUnits { appendedTo[unit, default: []].append(event.event) }
            }
            // Histories come from the cache or the log (one connection, in order); the
            // contributions are pure and computed on every core.
            let work = try appendedTo.map { unit, newEvents in
                let key = SellerUnit(seller: seller, unit: unit)
                let cached = cache?.entry(for: key)
                let before = try cached?.events ?? self.events(of: unit, seller: seller, upTo: previousHead)
                return (key: key, before: before, oldContribution: cached?.contribution,
                        all: (before + newEvents).sorted(by: Event.validTimeOrder))
            }
            let results = ParallelMap.map(work) { item in
                (old: item.oldContribution ?? Projection.contribution(kind: item.key.unit.kind, events: item.before, settings: settings),
                 new: Projection.contribution(kind: item.key.unit.kind, events: item.all, settings: settings))
            }
            for (item, result) in zip(work, results) {
                change.add(result.new)
                change.subtract(result.old)
                updated[item.key] = UnitCache.Entry(events: item.all, contribution: result.new)
            }
            try add(change, seller: seller)
        }
        try db.execute(sql: "UPDATE projection_state SET last_sequence = ?", arguments: [head])
    }

    /// Recomputes one seller's projection from its events.
    func rebuild(seller: String) throws {
        rebuiltSellers = true
        try db.execute(sql: "DELETE FROM metric_deltas WHERE seller = ?", arguments: [seller])
        let settings = try self.settings(of: seller)
        var units = Set(try String.fetchAll(db, sql: "SELECT DISTINCT unit FROM events WHERE seller = ? AND unit IS NOT NULL", arguments: [seller])
            .compactMap(UnitReference.init(key:)))
        units.formUnion(try String.fetchAll(db, sql: "SELECT DISTINCT order_ref FROM events WHERE seller = ? AND order_ref IS NOT NULL", arguments: [seller])
            .map(UnitReference.order))
        var total = ContributionSum()
        for unit in units {
            total.add(Projection.contribution(kind: unit.kind, events: try events(of: unit, seller: seller), settings: settings))
        }
        try add(total, seller: seller)
    }

    func settings(of seller: String) throws -> SellerSettings {
        let statement = try db.cachedStatement(sql: "SELECT json FROM events WHERE seller = ? AND unit = ?")
        let configurations = try String.fetchAll(statement, arguments: [seller, UnitQuery.configurationKey])
        return SellerSettings(configurationEvents: try configurations.map(Self.decode))
    }

    /// A unit's events in valid-time order, all of them or those up to a sequence number.
    private func events(of unit: UnitReference, seller: String, upTo lastSequence: Int64? = nil) throws -> [Event] {
        let query = UnitQuery(seller: seller, unit: unit, columns: "json", upTo: lastSequence)
        let statement = try db.cachedStatement(sql: query.sql)
        return try String.fetchAll(statement, arguments: query.arguments).map(Self.decode)
    }

    private func add(_ change: ContributionSum, seller: String) throws {
        let upsert = try db.cachedStatement(sql: """
            INSERT INTO metric_deltas (seller, metric, day, numerator, denominator) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (seller, metric, day) DO UPDATE
            SET numerator = numerator + excluded.numerator, denominator = denominator + excluded.denominator
            """)
        for (key, counts) in change.deltas {
            try upsert.execute(arguments: [seller, MetricCatalog.all[key.metric].id, key.day, counts.numerator, counts.denominator])
        }
    }

    /// Events in the log passed validation when they were appended.
    static func decode(_ json: String) throws -> Event {
        switch EventDecoder.decodeStored(json) {
        case .success(let event): return event
        case .failure(let rejection): throw StoreError.failed(path: "", reason: "a stored event no longer decodes: \(rejection)")
        }
    }
}

/// `map` over all cores, for pure work on many small items.
enum ParallelMap {
    static func map<T, R>(_ items: [T], _ transform: (T) -> R) -> [R] {
        let chunks = min(items.count, ProcessInfo.processInfo.activeProcessorCount * 4)
        guard chunks > 1 else { return items.map(transform) }
        var results = [R?](repeating: nil, count: items.count)
        results.withUnsafeMutableBufferPointer { output in
            nonisolated(unsafe) let output = output
            nonisolated(unsafe) let items = items
            withoutActuallyEscaping(transform) { transform in
                nonisolated(unsafe) let transform = transform
                DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                    // Each chunk writes its own slots only.
                    for index in stride(from: chunk, to: items.count, by: chunks) { output[index] = transform(items[index]) }
                }
            }
        }
        return results.map { $0! }
    }
}

struct SellerUnit: Hashable {
    let seller: String
    let unit: UnitReference
}

/// Recently projected units with their events and contribution, so that the next event of a
/// unit neither reloads nor re-decodes its history. Two generations approximate least-recently
/// used: when the young one fills up it becomes the old one, and a hit in the old one moves
/// up. Valid only while this process is the log's only writer since it was filled: another
/// writer's append empties it.
final class UnitCache: @unchecked Sendable {
    struct Entry {
        let events: [Event]
        let contribution: Contribution
    }

    static let generationCapacity = 150_000

    private let lock = NSLock()
    private var young: [SellerUnit: Entry] = [:]
    private var old: [SellerUnit: Entry] = [:]
    private var head: Int64 = -1

    /// Empties the cache unless the log's head is still the one it reflects.
    func validate(head logHead: Int64) {
        lock.withLock {
            if logHead != head { removeAll() }
        }
    }

    func entry(for key: SellerUnit) -> Entry? { lock.withLock { young[key] ?? old[key] } }

    /// Keeps what a committed transaction left, as of the new head.
    func keep(_ projector: Projector, head newHead: Int64) {
        lock.withLock {
            if projector.rebuiltSellers {
                removeAll()
            } else {
                for (key, entry) in projector.updated {
                    if young.count >= Self.generationCapacity {
                        old = young
                        young = [:]
                    }
                    young[key] = entry
                    old[key] = nil
                }
            }
            head = newHead
        }
    }

    private func removeAll() {
        young.removeAll()
        old.removeAll()
    }
}

extension UnitReference {
    /// The inverse of `key`.
    init?(key: String) {
        guard let colon = key.firstIndex(of: ":") else { return nil }
        let id = String(key[key.index(after: colon)...])
        switch key[..<colon] {
        case "order": self = .order(id)
        case "thread": self = .thread(id)
        case "return": self = .return(id)
        case "violation": self = .violation(id)
        default: return nil
        }
    }
}
