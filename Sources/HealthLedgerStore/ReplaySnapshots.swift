import Foundation
import GRDB
import HealthLedgerCore

/// Snapshots of each seller's replay fold at a recorded time R: the fold of exactly the events
/// recorded at or before R. A known-at query for K ≥ R restores the latest such snapshot and
/// replays only the events recorded in (R, K]. Derived data: an append recorded at or before a
/// snapshot's R deletes it (it no longer holds every event recorded by R), and deleting any of
/// them loses nothing but time.
struct ReplaySnapshots {
    let db: Database

    struct Snapshot {
        let recorded: Int64
        let state: Data
    }

    func latest(of seller: String, notAfter knownAt: Instant) throws -> Snapshot? {
        try Row.fetchOne(db, sql: """
            SELECT recorded_us, state FROM replay_snapshots WHERE seller = ? AND recorded_us <= ?
            ORDER BY recorded_us DESC LIMIT 1
            """, arguments: [seller, knownAt.microseconds]).map { Snapshot(recorded: $0[0], state: $0[1]) }
    }

    /// Events recorded at `recordedAt` are being appended for `sellers`.
    func invalidate(sellers: Set<String>, recordedAt: Instant) throws {
        let statement = try db.cachedStatement(sql: "DELETE FROM replay_snapshots WHERE seller = ? AND recorded_us >= ?")
        for seller in sellers { try statement.execute(arguments: [seller, recordedAt.microseconds]) }
    }

    /// Takes a snapshot of each seller's whole log, from the projection's unit histories, when
    /// its latest is of an earlier recorded day than its latest event.
    func refresh(projector: Projector, sellers: [String]) throws {
        for seller in sellers {
            guard let head = try Int64.fetchOne(db, sql: "SELECT max(recorded_us) FROM events WHERE seller = ?", arguments: [seller]) else { continue }
            let latest = try Int64.fetchOne(db, sql: "SELECT max(recorded_us) FROM replay_snapshots WHERE seller = ?", arguments: [seller])
            if let latest, Self.day(latest) >= Self.day(head) { continue }
            let count = try Int.fetchOne(db, sql: "SELECT count(*) FROM events WHERE seller = ?", arguments: [seller]) ?? 0
            let units = try Row.fetchAll(db, sql: "SELECT unit, events FROM unit_histories WHERE seller = ?", arguments: [seller])
                .map { row in (key: row[0] as String, history: [UInt8](row[1] as Data)) }
            let state = ReplaySnapshot.encode(eventCount: count, configurations: try projector.configurations(of: seller), units: units)
            try save(state, of: seller, recorded: head, eventCount: count)
        }
    }

    /// Replaces a seller's snapshots with one at the end of each recorded day the schedule keeps,
    /// from a replay of its events in recorded order.
    func rebuild(seller: String, projector: Projector) throws {
        try db.execute(sql: "DELETE FROM replay_snapshots WHERE seller = ?", arguments: [seller])
        let days = Set(try Int64.fetchAll(db, sql: "SELECT DISTINCT recorded_us / 86400000000 FROM events WHERE seller = ?", arguments: [seller]).map(Int.init))
        let kept = SnapshotSchedule.kept(days)
        var replay = ProjectionReplay()
        var last: Int64?
        try projector.forEachEvent(sql: "SELECT json, recorded_us FROM events WHERE seller = ? ORDER BY recorded_us", arguments: [seller]) { event, recorded in
            if let last, Self.day(recorded) != Self.day(last), kept.contains(Self.day(last)) {
                try save(replay.snapshot(of: seller), of: seller, recorded: last, eventCount: replay.eventCount)
            }
            replay.add(event)
            last = recorded
        }
        if let last { try save(replay.snapshot(of: seller), of: seller, recorded: last, eventCount: replay.eventCount) }
    }

    private func save(_ state: [UInt8], of seller: String, recorded: Int64, eventCount: Int) throws {
        try db.execute(sql: "INSERT OR REPLACE INTO replay_snapshots (seller, recorded_us, event_count, state) VALUES (?, ?, ?, ?)",
                       arguments: [seller, recorded, eventCount, Data(state)])
        let stored = try Int64.fetchAll(db, sql: "SELECT recorded_us FROM replay_snapshots WHERE seller = ?", arguments: [seller])
        let keptDays = SnapshotSchedule.kept(Set(stored.map(Self.day)))
        // One a day: the latest of each kept day.
        let keep = Set(Dictionary(grouping: stored, by: Self.day).filter { keptDays.contains($0.key) }.values.compactMap { $0.max() })
        for recorded in stored where !keep.contains(recorded) {
            try db.execute(sql: "DELETE FROM replay_snapshots WHERE seller = ? AND recorded_us = ?", arguments: [seller, recorded])
        }
    }

    static func day(_ recorded: Int64) -> Int { Int(recorded.floorDivided(by: 86_400_000_000)) }
}
