import Foundation
import GRDB
import HealthLedgerCore

/// Snapshots of each seller's replay fold: the fold of the seller's events up to a sequence
/// number N, which serves any known-at time K from the latest time those events were recorded
/// at. A known-at query restores the latest snapshot it may use and replays only the seller's
/// events after N recorded by K; a backfill, appended after N whatever its recorded time, is
/// among those, so no append ever invalidates a snapshot. Derived data: deleting any of them
/// loses nothing but time.
struct ReplaySnapshots {
    let db: Database

    /// A snapshot costs as much as the events it holds, so the next one is due once the seller
    /// has appended 1/`growthDivisor` as many again (a quarter): each appended event pays for at
    /// most four snapshot entries, however long the log, and a known-at query replays at most
    /// about a quarter of the seller's log after its snapshot.
    static let growthDivisor: Int64 = 4

    struct Snapshot {
        let sequence: Int64
        let state: Data
    }

    /// The latest snapshot of `seller` whose events were all recorded by `knownAt`.
    func latest(of seller: String, notAfter knownAt: Instant) throws -> Snapshot? {
        try Row.fetchOne(db, sql: """
            SELECT sequence, state FROM replay_snapshots WHERE seller = ? AND recorded_us <= ?
            ORDER BY sequence DESC LIMIT 1
            """, arguments: [seller, knownAt.microseconds]).map { Snapshot(sequence: $0[0], state: $0[1]) }
    }

    /// Counts the events an append transaction added, by seller: what says when a snapshot is due.
    func count(appended: [String: Int64]) throws {
        let statement = try db.cachedStatement(sql: """
            INSERT INTO seller_event_counts (seller, events) VALUES (?, ?)
            ON CONFLICT (seller) DO UPDATE SET events = events + excluded.events
            """)
        for (seller, count) in appended { try statement.execute(arguments: [seller, count]) }
    }

    /// Takes a snapshot of each seller that holds `minimumEvents` or more and is due one
    /// (`growthDivisor`), from the projection's unit histories: the fold of the log up to the
    /// projection's last sequence.
    func refresh(projector: Projector, minimumEvents: Int) throws {
        guard let head = try Int64.fetchOne(db, sql: "SELECT last_sequence FROM projection_state") else { return }
        for row in try Row.fetchAll(db, sql: "SELECT seller, events FROM seller_event_counts") {
            let seller: String = row[0], count: Int64 = row[1]
            let latest = try Int64.fetchOne(db, sql: "SELECT event_count FROM replay_snapshots WHERE seller = ? ORDER BY sequence DESC LIMIT 1",
                                            arguments: [seller]) ?? 0
            guard count >= Int64(minimumEvents), count > latest, (count - latest) * Self.growthDivisor >= latest else { continue }
            let recorded = try Int64.fetchOne(db, sql: "SELECT max(recorded_us) FROM events WHERE seller = ?", arguments: [seller]) ?? 0
            let units = try Row.fetchAll(db, sql: "SELECT unit, events FROM unit_histories WHERE seller = ?", arguments: [seller])
                .map { row in (key: row[0] as String, history: [UInt8](row[1] as Data)) }
            let state = ReplaySnapshot.encode(eventCount: Int(count), configurations: try projector.configurations(of: seller), units: units)
            try save(state, of: seller, sequence: head, recorded: recorded, eventCount: Int(count))
        }
    }

    /// Replaces a seller's snapshots with one at the end of each recorded day the schedule keeps,
    /// from a replay of its events in the log's order.
    func rebuild(seller: String, projector: Projector) throws {
        try db.execute(sql: "DELETE FROM replay_snapshots WHERE seller = ?", arguments: [seller])
        let days = Set(try Int64.fetchAll(db, sql: "SELECT DISTINCT recorded_us / 86400000000 FROM events WHERE seller = ?", arguments: [seller]).map(Int.init))
        let kept = SnapshotSchedule.kept(days)
        var replay = ProjectionReplay()
        // The latest recorded time so far, and the sequence number that reached it.
        var last: (recorded: Int64, sequence: Int64)?
        // Saved once the events are read: the database is not used while they are.
        var taken: [(state: [UInt8], sequence: Int64, recorded: Int64, eventCount: Int)] = []
        try projector.forEachEvent(sql: "SELECT json, recorded_us, seq FROM events WHERE seller = ? ORDER BY seq", arguments: [seller]) { position, fold in
            if let last, Self.day(max(position.recorded, last.recorded)) != Self.day(last.recorded), kept.contains(Self.day(last.recorded)) {
                taken.append((replay.snapshot(of: seller), last.sequence, last.recorded, replay.eventCount))
            }
            try replay.add(fold)
            last = (max(position.recorded, last?.recorded ?? .min), position.sequence)
        }
        if let last { taken.append((replay.snapshot(of: seller), last.sequence, last.recorded, replay.eventCount)) }
        for snapshot in taken {
            try save(snapshot.state, of: seller, sequence: snapshot.sequence, recorded: snapshot.recorded, eventCount: snapshot.eventCount)
        }
    }

    private func save(_ state: [UInt8], of seller: String, sequence: Int64, recorded: Int64, eventCount: Int) throws {
        try db.execute(sql: "INSERT OR REPLACE INTO replay_snapshots (seller, sequence, recorded_us, event_count, state) VALUES (?, ?, ?, ?, ?)",
                       arguments: [seller, sequence, recorded, eventCount, Data(state)])
        let stored = try Row.fetchAll(db, sql: "SELECT sequence, recorded_us FROM replay_snapshots WHERE seller = ?", arguments: [seller])
            .map { (sequence: $0[0] as Int64, day: Self.day($0[1])) }
        let keptDays = SnapshotSchedule.kept(Set(stored.map(\.day)))
        // One a day: the latest of each kept day.
        let keep = Set(Dictionary(grouping: stored, by: \.day).filter { keptDays.contains($0.key) }.values.compactMap { $0.map(\.sequence).max() })
        for snapshot in stored where !keep.contains(snapshot.sequence) {
            try db.execute(sql: "DELETE FROM replay_snapshots WHERE seller = ? AND sequence = ?", arguments: [seller, snapshot.sequence])
        }
    }

    static func day(_ recorded: Int64) -> Int { Int(recorded.floorDivided(by: 86_400_000_000)) }
}
