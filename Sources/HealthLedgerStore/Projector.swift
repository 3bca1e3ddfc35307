import GRDB
import HealthLedgerCore

/// A unit's events as the log holds them: its own, and for an order those of the messages,
/// returns and violations that name it.
struct UnitQuery {
    let sql: String
    let arguments: StatementArguments

    init(seller: String, unit: UnitReference?, columns: String) {
        var sql = "SELECT \(columns) FROM events WHERE seller = ?"
        var arguments: StatementArguments = [seller]
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
struct Projector {
    let db: Database

    /// Folds the events appended after `previousHead` into the projection.
    func apply(_ appended: [PreparedEvent], previousHead: Int64) throws {
        for (seller, events) in Dictionary(grouping: appended, by: \.seller) {
            if events.contains(where: { $0.type == .sellerConfigured }) {
                // A configuration can move every order's expected ship date, or every day.
                try rebuild(seller: seller)
                continue
            }
            let settings = try self.settings(of: seller)
            var change = Contribution()
            for unit in Set(events.flatMap(\.affectedUnits)) {
                let history = try self.events(of: unit, seller: seller)
                let before = history.filter { $0.sequence <= previousHead }.map(\.event)
                let old = Projection.contribution(kind: unit.kind, events: before, settings: settings)
                let new = Projection.contribution(kind: unit.kind, events: history.map(\.event), settings: settings)
                change = change + Contribution.change(from: old, to: new)
            }
            try add(change, seller: seller)
        }
        try setLastSequence()
    }

    /// Recomputes one seller's projection from its events.
    func rebuild(seller: String) throws {
        try db.execute(sql: "DELETE FROM metric_deltas WHERE seller = ?", arguments: [seller])
        let settings = try self.settings(of: seller)
        var units = Set(try String.fetchAll(db, sql: "SELECT DISTINCT unit FROM events WHERE seller = ? AND unit IS NOT NULL", arguments: [seller])
            .compactMap(UnitReference.init(key:)))
        units.formUnion(try String.fetchAll(db, sql: "SELECT DISTINCT order_ref FROM events WHERE seller = ? AND order_ref IS NOT NULL", arguments: [seller])
            .map(UnitReference.order))
        var total = Contribution()
        for unit in units {
            total = total + Projection.contribution(kind: unit.kind, events: try events(of: unit, seller: seller).map(\.event), settings: settings)
        }
        try add(total, seller: seller)
    }

    /// Recomputes every seller's projection.
    func rebuildAll() throws {
        try db.execute(sql: "DELETE FROM metric_deltas")
        for seller in try String.fetchAll(db, sql: "SELECT DISTINCT seller FROM events") { try rebuild(seller: seller) }
        try setLastSequence()
    }

    func settings(of seller: String) throws -> SellerSettings {
        let configurations = try String.fetchAll(db, sql: "SELECT json FROM events WHERE seller = ? AND type = 'seller_configured'", arguments: [seller])
        return SellerSettings(configurationEvents: try configurations.map(Self.decode))
    }

    private func events(of unit: UnitReference, seller: String) throws -> [(sequence: Int64, event: Event)] {
        let query = UnitQuery(seller: seller, unit: unit, columns: "seq, json")
        return try Row.fetchAll(db, sql: query.sql, arguments: query.arguments).map { row in (row[0], try Self.decode(row[1])) }
    }

    private func add(_ change: Contribution, seller: String) throws {
        let upsert = try db.cachedStatement(sql: """
            INSERT INTO metric_deltas (seller, metric, day, numerator, denominator) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (seller, metric, day) DO UPDATE
            SET numerator = numerator + excluded.numerator, denominator = denominator + excluded.denominator
            """)
        for (key, counts) in change.deltas {
            try upsert.execute(arguments: [seller, MetricCatalog.all[key.metric].id, key.day, counts.numerator, counts.denominator])
        }
    }

    private func setLastSequence() throws {
        try db.execute(sql: "UPDATE projection_state SET last_sequence = (SELECT coalesce(max(seq), 0) FROM events)")
    }

    /// Events in the log passed validation when they were appended.
    static func decode(_ json: String) throws -> Event {
        switch EventDecoder.decode(Array(json.utf8)) {
        case .success(let decoded): return decoded.event
        case .failure(let rejection): throw StoreError.failed(path: "", reason: "a stored event no longer decodes: \(rejection)")
        }
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
