import GRDB

/// The database schema, as GRDB migrations: a database records which ones it has, and one
/// that knows more than this build is refused rather than misread.
enum LogSchema {
    static let appendOnlyTriggers = ["events_refuse_update", "events_refuse_delete"]

    static let migrator: DatabaseMigrator = {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: event log and projections") { db in
            try db.execute(sql: """
                CREATE TABLE events (
                    seq INTEGER PRIMARY KEY,
                    id TEXT NOT NULL UNIQUE,
                    type TEXT NOT NULL,
                    seller TEXT NOT NULL,
                    at TEXT NOT NULL,
                    at_us INTEGER NOT NULL,
                    recorded_us INTEGER NOT NULL,
                    unit TEXT,
                    order_ref TEXT,
                    json TEXT NOT NULL,
                    digest BLOB NOT NULL,
                    hash BLOB NOT NULL
                );
                CREATE INDEX events_by_unit ON events (seller, unit) WHERE unit IS NOT NULL;
                CREATE INDEX events_by_order_ref ON events (seller, order_ref) WHERE order_ref IS NOT NULL;
                CREATE TRIGGER events_refuse_update BEFORE UPDATE ON events
                BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
                CREATE TRIGGER events_refuse_delete BEFORE DELETE ON events
                BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
                CREATE TABLE sellers (
                    seller TEXT PRIMARY KEY,
                    time_zone TEXT NOT NULL
                );
                CREATE TABLE metric_deltas (
                    seller TEXT NOT NULL,
                    metric TEXT NOT NULL,
                    day INTEGER NOT NULL,
                    numerator INTEGER NOT NULL,
                    denominator INTEGER NOT NULL,
                    PRIMARY KEY (seller, metric, day)
                ) WITHOUT ROWID;
                CREATE TABLE projection_state (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    last_sequence INTEGER NOT NULL
                );
                INSERT INTO projection_state VALUES (1, 0);
                """)
        }
        // The projection reads units from their histories, not from the events table: its unit
        // indexes, whose random inserts grew costly on a long log, give way to one by seller
        // (appended at the end of each seller's range) and one of configurations.
        migrator.registerMigration("v2: unit histories") { db in
            try db.execute(sql: """
                DROP INDEX events_by_unit;
                DROP INDEX events_by_order_ref;
                CREATE INDEX events_by_seller ON events (seller);
                CREATE INDEX events_configuring ON events (seller) WHERE type = 'seller_configured';
                CREATE TABLE unit_histories (
                    seller TEXT NOT NULL,
                    unit TEXT NOT NULL,
                    events BLOB NOT NULL,
                    PRIMARY KEY (seller, unit)
                ) WITHOUT ROWID;
                """)
            try Projector(db: db).rebuildAll()
        }
        // Known-at replays read one seller's events recorded in a time range, and go on from
        // the nearest snapshot of that seller's fold before it.
        migrator.registerMigration("v3: replay snapshots") { db in
            try db.execute(sql: """
                DROP INDEX events_by_seller;
                CREATE INDEX events_by_seller ON events (seller, recorded_us);
                CREATE TABLE replay_snapshots (
                    seller TEXT NOT NULL,
                    recorded_us INTEGER NOT NULL,
                    event_count INTEGER NOT NULL,
                    state BLOB NOT NULL,
                    PRIMARY KEY (seller, recorded_us)
                ) WITHOUT ROWID;
                """)
        }
        // Snapshots are keyed by the log's sequence: one holds the seller's events up to a
        // sequence number, and serves any known-at time from the latest time they were recorded
        // at, so a backfill no longer invalidates it. Each seller's event count says when the
        // next one is due. Snapshots are derived data: the old ones are dropped, not converted.
        // A rowid table: SQLite compares the keys of a WITHOUT ROWID table's cells with their
        // whole payload loaded, megabytes of state for each cell a seek passes.
        migrator.registerMigration("v4: snapshots by sequence") { db in
            try db.execute(sql: """
                DROP TABLE replay_snapshots;
                CREATE TABLE replay_snapshots (
                    seller TEXT NOT NULL,
                    sequence INTEGER NOT NULL,
                    recorded_us INTEGER NOT NULL,
                    event_count INTEGER NOT NULL,
                    state BLOB NOT NULL,
                    UNIQUE (seller, sequence)
                );
                CREATE TABLE seller_event_counts (
                    seller TEXT PRIMARY KEY,
                    events INTEGER NOT NULL
                ) WITHOUT ROWID;
                INSERT INTO seller_event_counts SELECT seller, count(*) FROM events GROUP BY seller;
                """)
        }
        return migrator
    }()

    /// GRDB reads which migrations a database has before it takes the write lock for each one,
    /// so processes that open a log at once can start the same migration: the later one fails
    /// and rolls back. Each such failure means another process made progress, so trying again
    /// (at most once per migration) goes on from where it left the schema.
    static func migrate(_ queue: DatabaseQueue) throws {
        var attemptsLeft = migrator.migrations.count
        while true {
            do {
                return try migrator.migrate(queue)
            } catch {
                if try queue.read(migrator.hasCompletedMigrations) { return }
                guard attemptsLeft > 0 else { throw error }
                attemptsLeft -= 1
            }
        }
    }
}
