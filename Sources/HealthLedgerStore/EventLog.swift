import Crypto
import Foundation
import GRDB
import HealthLedgerCore

/// What happened to one event handed to `EventLog.append`.
public enum AppendOutcome: Equatable, Sendable {
    case appended(sequence: Int64)
    case duplicate
    case rejected(Rejection)
}

/// A decoded event with what the log stores of it that does not depend on the log, computed
/// on the decoding thread before the write transaction, which is the bottleneck.
public final class PreparedEvent: Sendable {
    public let event: Event
    public let json: String
    /// SHA-256 of the canonical JSON: equal digests, equal content.
    public let digest: Data
    /// The `unit` column; configurations share one key.
    public let unitKey: String?
    static let configurationUnitKey = "configuration"
    /// The `order_ref` column: the event's `order` when its unit is something else (a message,
    /// return or violation about an order), so that an order's story includes it.
    public let orderReference: String?
    /// What each unit whose metrics this event can change reads of it.
    public let unitEvents: [(unit: UnitReference, event: UnitEvent)]

    public init(_ decoded: DecodedEvent) {
        event = decoded.event
        json = decoded.json
        digest = Data(SHA256.hash(data: decoded.canonicalJSON))
        let unit = event.unit
        unitKey = unit?.key ?? (event.type == .sellerConfigured ? Self.configurationUnitKey : nil)
        if case .order = unit { orderReference = nil } else { orderReference = event.string("order") }
        unitEvents = UnitReference.unitEvents(of: event)
    }
}

extension AppendOutcome {
    var isAppended: Bool {
        if case .appended = self { return true }
        return false
    }
}

/// One event of the log as stored.
public struct StoredEvent: Equatable, Sendable {
    public let sequence: Int64
    public let id: String
    public let type: String
    public let seller: String
    public let at: String
    public let recordedAt: Instant
    public let json: String
}

/// The append-only event log: one SQLite database file in WAL mode.
public final class EventLog: Sendable {
    /// Events per append transaction for bulk ingest: enough that a commit's fixed cost (the
    /// sync, pages that many events share) is spread thin.
    public static let transactionSize = 50_000

    public let path: String
    private let queue: DatabaseQueue
    private let units = UnitCache()
    /// Nil for a read-only log.
    private let checkpointer: Checkpointer?

    /// Opens the log at `path`, creating and migrating it as needed.
    public convenience init(path: String, readOnly: Bool = false) throws(StoreError) {
        try self.init(path: path, readOnly: readOnly, checkpointFrameLimit: Checkpointer.defaultFrameLimit)
    }

    init(path: String, readOnly: Bool, checkpointFrameLimit: Int) throws(StoreError) {
        self.path = path
        var configuration = Configuration()
        configuration.readonly = readOnly
        configuration.journalMode = .wal
        configuration.busyMode = .timeout(30)
        let checkpointer = readOnly ? nil : Checkpointer(path: path, configuration: configuration, frameLimit: checkpointFrameLimit)
        self.checkpointer = checkpointer
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL; PRAGMA cache_size = -65536")
            checkpointer?.watch(db)
        }
        do {
            if readOnly, !FileManager.default.fileExists(atPath: path) {
                throw StoreError.missing(path: path)
            }
            queue = try Self.openQueue(path: path, configuration: configuration)
            // Migrating first, under the write lock, lets processes that open a new log at
            // once wait for each other instead of reading a schema half made. A reader of a log
            // an older HealthLedger wrote migrates it once, through a connection of its own.
            if !readOnly {
                try LogSchema.migrate(queue)
            }
            if try queue.read(LogSchema.migrator.hasBeenSuperseded) { throw StoreError.newerSchema(path: path) }
            if readOnly, try !queue.read(LogSchema.migrator.hasCompletedMigrations) {
                var writable = configuration
                writable.readonly = false
                try LogSchema.migrate(Self.openQueue(path: path, configuration: writable))
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(path: path, error)
        }
    }

    deinit { checkpointer?.wait() }

    /// Turning a new file to WAL needs the lock that another process creating the same log at
    /// once may hold, and SQLite answers busy at once rather than waiting for it: so wait here,
    /// as long as the busy timeout would.
    private static func openQueue(path: String, configuration: Configuration) throws -> DatabaseQueue {
        let deadline = ContinuousClock.now + .seconds(30)
        while true {
            do {
                return try DatabaseQueue(path: path, configuration: configuration)
            } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY && ContinuousClock.now < deadline {
                Thread.sleep(forTimeInterval: 0.01)
            }
        }
    }

    /// Appends the events in one transaction, each after the checks that need the log:
    /// duplicate or conflicting id, a time-zone change, the 24 h rule (in that order).
    public func append(_ events: [DecodedEvent], recordedAt: Instant) throws(StoreError) -> [AppendOutcome] {
        try append(events.map(PreparedEvent.init), recordedAt: recordedAt)
    }

    public func append(_ events: [PreparedEvent], recordedAt: Instant) throws(StoreError) -> [AppendOutcome] {
        try append(PreparedBatch(events), recordedAt: recordedAt)
    }

    public func append(_ batch: PreparedBatch, recordedAt: Instant) throws(StoreError) -> [AppendOutcome] {
        let events = batch.events
        checkpointer?.boundLog()
        do {
            return try queue.writeWithoutTransaction { db in
                var outcomes: [AppendOutcome] = []
                outcomes.reserveCapacity(events.count)
                var kept: BackgroundValue<Void>?
                // Even when the commit fails: the next transaction's check of the cache's head
                // must see what was kept.
                defer { kept?.wait() }
                try db.inTransaction(.immediate) {
                    var appender = try Appender(db: db, recordedAt: recordedAt)
                    let previousHead = appender.lastSequence
                    // Chained and folded on other cores, as if all were appended, while the
                    // projection reads the units and the events are inserted.
                    let chained = ChainedRows(events, after: appender.chain, sequence: previousHead, recordedAt: recordedAt)
                    self.units.validate(head: previousHead)
                    let projector = Projector(db: db, cache: self.units)
                    let input = try projector.read(batch, previousHead: previousHead)
                    let folding = BackgroundValue { Projector.fold(input) }
                    try chained.forEach { index, chained in
                        outcomes.append(try appender.append(events[index], chained: chained, isAfterDuplicate: outcomes.last == .duplicate))
                    }
                    var output = folding.wait()
                    let head = appender.lastSequence
                    if head - previousHead != events.count {
                        let isAppended = outcomes.map(\.isAppended)
                        try projector.correct(&output, appended: zip(events, isAppended).filter(\.1).map(\.0),
                                              notAppended: zip(events, isAppended).filter { !$0.1 }.map(\.0), previousHead: previousHead)
                    }
                    try projector.write(output, head: head)
                    try ReplaySnapshots(db: db).count(appended: zip(events, outcomes).reduce(into: [:]) { counts, appended in
                        if appended.1.isAppended { counts[appended.0.event.seller, default: 0] += 1 }
                    })
                    BackgroundRelease.drop((consume chained, consume input, consume output))
                    // Kept while the commit writes: should it fail, the cache's head is not the
                    // log's, and the next transaction empties it.
                    kept = BackgroundValue { [units = self.units, updated = projector.updated] in units.keep(updated, head: head) }
                    return .commit
                }
                return outcomes
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(path: path, error)
        }
    }

    /// The events of one seller's unit (or, with `unit` nil, all of the seller's events), in
    /// valid-time order: by `at`, then by id. An order's include the messages, returns and
    /// violations that name it. A read of the seller's range of the log: the projection keeps
    /// units in `unit_histories`, so the events table has no per-unit index to maintain.
    public func events(seller: String, unit: UnitReference?) throws(StoreError) -> [StoredEvent] {
        var sql = "SELECT seq, id, type, seller, at, recorded_us, json FROM events WHERE seller = ?"
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
        return try read { db in
            try Row.fetchAll(db, sql: sql + " ORDER BY at_us, id", arguments: arguments).map { row in
                StoredEvent(sequence: row[0], id: row[1], type: row[2], seller: row[3], at: row[4],
                            recordedAt: Instant(microseconds: row[5]), json: row[6])
            }
        }
    }

    /// The seller's dashboard as of the end of `day`, from the projection's daily counters.
    public func dashboard(seller: String, asOf day: CivilDate) throws(StoreError) -> Dashboard {
        try read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT metric, sum(numerator), sum(denominator) FROM metric_deltas
                WHERE seller = ? AND day <= ? GROUP BY metric
                """, arguments: [seller, day.daysSinceEpoch])
            let counts = Dictionary(uniqueKeysWithValues: rows.map { row in
                (row[0] as String, Counts(numerator: row[1], denominator: row[2]))
            })
            return Dashboard(seller: seller, asOf: day, knownAt: nil, settings: try Projector(db: db).settings(of: seller), counts: counts)
        }
    }

    /// The seller's dashboard as of the end of `day`, as it read when only the events recorded
    /// up to `knownAt` were in the log: a replay of those events.
    public func dashboard(seller: String, asOf day: CivilDate, knownAt: Instant, knownAtText: String) throws(StoreError) -> Dashboard {
        try read { db in
            let replay = try Projector(db: db).knownAtReplay(seller: seller, knownAt: knownAt)
            return Dashboard(seller: seller, asOf: day, knownAt: knownAtText, settings: replay.settings(of: seller),
                             counts: DailyDeltas(replay.deltas(of: seller).byKey).counts(asOf: day.daysSinceEpoch))
        }
    }

    /// The seller's daily deltas: from the projection, or with `knownAt` from a replay of the
    /// events recorded by then.
    public func dailyDeltas(seller: String, knownAt: Instant? = nil) throws(StoreError) -> DailyDeltas {
        try read { db in
            let projector = Projector(db: db)
            guard let knownAt else { return DailyDeltas(try projector.liveDeltas(of: seller)) }
            return DailyDeltas(try projector.knownAtReplay(seller: seller, knownAt: knownAt).deltas(of: seller).byKey)
        }
    }

    /// Every unit history of the seller, as the projection keeps them.
    public func unitHistories(seller: String) throws(StoreError) -> [(unit: UnitReference, events: [UnitEvent])] {
        try read { db in try Projector(db: db).histories(of: seller) }
    }

    /// The log's events, of one seller or all, recorded up to `knownAt` or at any time, folded from scratch.
    public func replay(seller: String? = nil, knownAt: Instant? = nil, progress: ((Int) -> Void)? = nil) throws(StoreError) -> ProjectionReplay {
        try read { db in try Projector(db: db).replay(seller: seller, knownAt: knownAt, progress: progress) }
    }

    /// Replays the log from scratch and compares every seller's counters, every metric and
    /// every day, with the live projection.
    public func verifyProjection(seller: String? = nil, progress: ((Int) -> Void)? = nil) throws(StoreError) -> ProjectionVerification {
        try read { db in
            let projector = Projector(db: db)
            let replay = try projector.replay(seller: seller, progress: progress)
            let sellers = try seller.map { [$0] } ?? replay.sellers.union(projector.projectedSellers())
            let replayed = replay.deltasBySeller
            let differences = try sellers.sorted().flatMap { seller in
                ProjectionDifference.between(projected: try projector.liveDeltas(of: seller), replayed: replayed[seller]?.byKey ?? [:], seller: seller)
            }
            return ProjectionVerification(eventCount: replay.eventCount, differences: differences)
        }
    }

    /// Replaces the projection with a replay of the log, in one transaction: readers see the
    /// old projection or the new one, never a mix.
    public func rebuildProjection(progress: ((Int) -> Void)? = nil) throws(StoreError) {
        do {
            try queue.write { db in try Projector(db: db).rebuildAll(progress: progress) }
            units.validate(head: -1)
        } catch {
            throw StoreError(path: path, error)
        }
    }

    /// The events a seller holds before `refreshSnapshots` takes its first snapshot, by default:
    /// a known-at query replays a smaller seller from its first event in well under a second,
    /// so a snapshot would cost its ingest more than it saves.
    public static let snapshotMinimumEvents = 100_000

    /// Takes a snapshot of the replay fold of each seller that holds at least `minimumEvents`
    /// and has grown enough since its latest (`ingest` does, once it has appended), so that
    /// known-at queries go on from there.
    public func refreshSnapshots(minimumEvents: Int = snapshotMinimumEvents) throws(StoreError) {
        do {
            try queue.write { db in try ReplaySnapshots(db: db).refresh(projector: Projector(db: db), minimumEvents: minimumEvents) }
        } catch {
            throw StoreError(path: path, error)
        }
    }

    /// Replaces every seller's snapshots with those of the schedule (`SnapshotSchedule`), from a
    /// replay of the log in recorded order.
    public func rebuildSnapshots(progress: ((Int) -> Void)? = nil) throws(StoreError) {
        let sellers = try sellers()
        do {
            for (index, seller) in sellers.enumerated() {
                try queue.write { db in try ReplaySnapshots(db: db).rebuild(seller: seller, projector: Projector(db: db)) }
                progress?(index + 1)
            }
        } catch {
            throw StoreError(path: path, error)
        }
    }

    /// A seller's snapshots, oldest first: the last sequence number each holds, and the latest
    /// time its events were recorded at.
    public func snapshots(seller: String) throws(StoreError) -> [(sequence: Int64, recordedAt: Instant)] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT sequence, recorded_us FROM replay_snapshots WHERE seller = ? ORDER BY sequence", arguments: [seller])
                .map { ($0[0], Instant(microseconds: $0[1])) }
        }
    }

    public func settings(of seller: String) throws(StoreError) -> SellerSettings {
        try read { db in try Projector(db: db).settings(of: seller) }
    }

    /// Every seller with an event in the log.
    public func sellers() throws(StoreError) -> [String] {
        // A skip-scan of the seller index: one seek per seller, not a read of every entry.
        try read { db in
            try String.fetchAll(db, sql: """
                WITH RECURSIVE next(seller) AS (
                    SELECT min(seller) FROM events
                    UNION ALL
                    SELECT (SELECT min(seller) FROM events WHERE seller > next.seller) FROM next WHERE next.seller IS NOT NULL
                )
                SELECT seller FROM next WHERE seller IS NOT NULL
                """)
        }
    }

    /// The last sequence number: they run from 1 without gaps (what `verify` checks), and
    /// `count(*)` read a whole index, a few percent of a full replay's time.
    public var count: Int64 {
        get throws(StoreError) { try read { db in try Int64.fetchOne(db, sql: "SELECT coalesce(max(seq), 0) FROM events") ?? 0 } }
    }

    /// Walks the whole log and checks what makes it trustworthy: sequence numbers without gaps,
    /// every stored byte under the hash chain, the append-only triggers in place.
    public func verify() throws(StoreError) -> LogVerification {
        try read { db in
            var problems: [LogVerification.Problem] = []
            let triggers = try Set(String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'events'"))
            for trigger in LogSchema.appendOnlyTriggers where !triggers.contains(trigger) {
                problems.append(.missingTrigger(trigger))
            }
            var chain = HashChain()
            var expectedSequence: Int64 = 1
            var count: Int64 = 0
            let rows = try Row.fetchCursor(db, sql: "SELECT \(StoredRow.columns), hash FROM events ORDER BY seq")
            while let row = try rows.next() {
                let stored = StoredRow(row: row)
                if stored.sequence != expectedSequence {
                    problems.append(.sequenceGap(expected: expectedSequence, found: stored.sequence))
                }
                let hash: Data = row["hash"]
                if chain.hash(of: stored) != hash {
                    problems.append(.hashMismatch(sequence: stored.sequence))
                }
                chain.head = hash
                expectedSequence = stored.sequence + 1
                count += 1
            }
            return LogVerification(eventCount: count, headHash: chain.headHex, problems: problems)
        }
    }

    private func read<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        do {
            return try queue.read(body)
        } catch {
            throw StoreError(path: path, error)
        }
    }
}

public struct ProjectionVerification: Sendable {
    public let eventCount: Int
    public let differences: [ProjectionDifference]

    public var isEqual: Bool { differences.isEmpty }
}

public struct LogVerification: Sendable {
    public enum Problem: Equatable, Sendable, CustomStringConvertible {
        case missingTrigger(String)
        case sequenceGap(expected: Int64, found: Int64)
        case hashMismatch(sequence: Int64)

        /// For machine-read reports.
        public var kind: String {
            switch self {
            case .missingTrigger: "missing_trigger"
            case .sequenceGap: "sequence_gap"
            case .hashMismatch: "hash_mismatch"
            }
        }

        /// The sequence number where the check failed, when there is one.
        public var sequence: Int64? {
            switch self {
            case .missingTrigger: nil
            case .sequenceGap(let expected, _): expected
            case .hashMismatch(let sequence): sequence
            }
        }

        public var description: String {
            switch self {
            case .missingTrigger(let name): "the append-only trigger \(name) is missing"
            case .sequenceGap(let expected, let found): "sequence number \(expected) is missing (next is \(found))"
            case .hashMismatch(let sequence): "event \(sequence) does not match its hash: a stored byte changed, or rows were reordered"
            }
        }
    }

    public let eventCount: Int64
    public let headHash: String
    public let problems: [Problem]

    public var isIntact: Bool { problems.isEmpty }
}

/// Appends within one open transaction, carrying the chain's head along.
private struct Appender {
    private let db: Database
    private let recordedAt: Instant
    private var insert: RawStatement
    private let findDigest: Statement
    private(set) var chain: HashChain
    private(set) var lastSequence: Int64
    /// Sellers' established time zones; `.some(nil)` caches "none yet".
    private var timeZones: [String: String?] = [:]

    init(db: Database, recordedAt: Instant) throws {
        self.db = db
        self.recordedAt = recordedAt
        insert = RawStatement(try db.cachedStatement(sql: """
            INSERT INTO events (\(StoredRow.columns), hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (id) DO NOTHING
            """))
        findDigest = try db.cachedStatement(sql: "SELECT digest FROM events WHERE id = ?")
        let head = try Row.fetchOne(db, sql: "SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1")
        lastSequence = head?["seq"] ?? 0
        chain = HashChain(head: head?["hash"] ?? HashChain.genesis)
    }

    /// Appends `prepared`, with the row and hash in `chained` when they follow the log's head;
    /// `isAfterDuplicate` when the event before it in the batch was a duplicate.
    mutating func append(_ prepared: PreparedEvent, chained: HashChain.ChainedRow, isAfterDuplicate: Bool) throws -> AppendOutcome {
        let event = prepared.event
        let establishedZone = event.type == .sellerConfigured ? try establishedTimeZone(of: event.seller) : nil
        let rejection = AdmissionRules.checkTimeZone(seller: event.seller, stated: event.configuredTimeZone, established: establishedZone)
            ?? AdmissionRules.checkRecordedTime(at: event.at, recordedAt: recordedAt)
        if rejection == nil {
            let follows = chained.row.sequence == lastSequence + 1
            // Off the chain worked out ahead, the hash is worked out here; after a duplicate,
            // one look-up first spares it for the next, as a file appended again is all duplicates.
            if !follows, isAfterDuplicate, let outcome = try duplicateOrConflict(prepared) { return outcome }
            let row = follows ? chained.row : StoredRow(sequence: lastSequence + 1, event: prepared, recordedAt: recordedAt)
            let hash = follows ? chained.hash : chain.hash(of: row)
            if try insert(row, hash: hash) == 1 {
                chain.head = hash
                lastSequence = row.sequence
                if let zone = event.configuredTimeZone, establishedZone == nil {
                    try db.execute(sql: "INSERT INTO sellers (seller, time_zone) VALUES (?, ?)", arguments: [event.seller, zone])
                    timeZones[event.seller] = zone
                }
                return .appended(sequence: row.sequence)
            }
        }
        // Duplicate and conflict checks come before the other rules.
        if let outcome = try duplicateOrConflict(prepared) { return outcome }
        guard let rejection else { preconditionFailure("an insert that changed nothing without a conflicting id") }
        return .rejected(rejection)
    }

    /// Nil when the log holds no event with this one's id.
    private func duplicateOrConflict(_ prepared: PreparedEvent) throws -> AppendOutcome? {
        guard let stored = try Data.fetchOne(findDigest, arguments: [prepared.event.id]) else { return nil }
        return stored == prepared.digest ? .duplicate : .rejected(AdmissionRules.conflict(id: prepared.event.id))
    }

    private mutating func insert(_ row: StoredRow, hash: Data) throws -> Int32 {
        insert.bind(row.sequence)
        insert.bind(row.id)
        insert.bind(row.type)
        insert.bind(row.seller)
        insert.bind(row.at)
        insert.bind(row.atMicroseconds)
        insert.bind(row.recordedMicroseconds)
        insert.bind(row.unit)
        insert.bind(row.orderReference)
        insert.bind(row.json)
        row.digest.withUnsafeBytes { insert.bind($0) }
        hash.withUnsafeBytes { insert.bind($0) }
        return try insert.step()
    }

    private mutating func establishedTimeZone(of seller: String) throws -> String? {
        if let cached = timeZones[seller] { return cached }
        let zone = try String.fetchOne(db, sql: "SELECT time_zone FROM sellers WHERE seller = ?", arguments: [seller])
        timeZones[seller] = zone
        return zone
    }
}
