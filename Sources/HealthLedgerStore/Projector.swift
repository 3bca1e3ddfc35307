import Dispatch
import Foundation
import GRDB
import GRDBSQLite
import HealthLedgerCore

/// Keeps `metric_deltas` equal to the sum of every unit's contribution, and `unit_histories`
/// equal to what each unit reads of the log, inside the transaction that appends the events:
/// the work per event is bounded by its units' own events.
final class Projector {
    let db: Database
    private let cache: UnitCache?
    /// Unit histories as this transaction leaves them, for the cache once it commits.
    private(set) var updated: [(key: SellerUnit, events: [UnitEvent])] = []

    init(db: Database, cache: UnitCache? = nil) {
        self.db = db
        self.cache = cache
    }

    /// What folding `batch` onto the log up to `previousHead` needs from the store: each
    /// seller's settings and the histories of the units the events touch (all of them, or
    /// only those in `units`, which then get only the events of `batch` that touch them).
    func read(_ batch: PreparedBatch, previousHead: Int64, onlyUnits units: Set<SellerUnit>? = nil) throws -> ProjectionInput {
        var sellers = batch.sellers
        for key in units ?? [] where sellers[key.seller] == nil { sellers[key.seller] = PreparedBatch.Seller() }
        return try ProjectionInput(sellers: sellers.map { seller, grouped in
            let configurations = grouped.configurations
            var appendedTo = grouped.unitEvents
            // The histories of feedback and claim keys, read twice: for the orders they name, and as units.
            var sharedKeyHistories: [UnitReference: [UnitEvent]] = [:]
            func history(of unit: UnitReference) throws -> [UnitEvent] {
                if let loaded = sharedKeyHistories[unit] { return loaded }
                let loaded = try cache?.history(of: SellerUnit(seller: seller, unit: unit)) ?? self.history(of: unit, seller: seller)
                if unit.isSharedKey { sharedKeyHistories[unit] = loaded }
                return loaded
            }
            for (key, newEvents) in appendedTo where key.isSharedKey {
                let keyHistory = try history(of: key)
                let namedBefore = SharedKeys.orders(holding: keyHistory)
                for order in SharedKeys.orders(holding: keyHistory + newEvents) {
                    appendedTo[.order(order), default: []] += namedBefore.contains(order) ? newEvents : keyHistory + newEvents
                }
            }
            if let units {
                for key in units where key.seller == seller && appendedTo[key.unit] == nil { appendedTo[key.unit] = [] }
                appendedTo = appendedTo.filter { units.contains(SellerUnit(seller: seller, unit: $0.key)) }
            }
            return ProjectionInput.Seller(
                seller: seller, settings: try settings(of: seller, upTo: previousHead, adding: configurations),
                isReconfigured: !configurations.isEmpty,
                units: try appendedTo.map { unit, newEvents in (SellerUnit(seller: seller, unit: unit), try history(of: unit), newEvents) })
        })
    }

    /// The pure part, on every core: the new histories, and what they change in the counters.
    static func fold(_ input: ProjectionInput) -> ProjectionOutput {
        ProjectionOutput(sellers: input.sellers.map { seller in
            let settings = seller.settings
            let units = ParallelMap.map(seller.units) { key, before, newEvents in
                let all = (before + newEvents).sorted(by: UnitEvent.validTimeOrder)
                var unit = ProjectionOutput.Unit(key: key, events: all, stored: UnitHistoryCoding.encode(all))
                if !seller.isReconfigured, let firstNewDay = newEvents.map({ settings.calendar.day(of: $0.at) }).min() {
                    unit.old = Projection.contribution(unit: key.unit, events: before, settings: settings, from: firstNewDay)
                    unit.new = Projection.contribution(unit: key.unit, events: all, settings: settings, from: firstNewDay)
                }
                return unit
            }
            var change = ContributionSum()
            for unit in units { change.add(unit) }
            return ProjectionOutput.Seller(seller: seller.seller, settings: settings, isReconfigured: seller.isReconfigured,
                                           units: units, change: change)
        })
    }

    /// Corrects a batch folded as if all its events were appended, for those that were not:
    /// the units they touch are folded again, and a seller whose configuration was not
    /// appended is folded again whole.
    func correct(_ output: inout ProjectionOutput, appended: [PreparedEvent], notAppended: [PreparedEvent], previousHead: Int64) throws {
        // A feedback or claim event reaches orders beyond those it names: its seller is folded again whole.
        let wholeSellers = Set(notAppended.filter { event in
            event.event.type == .sellerConfigured || event.unitEvents.contains { $0.unit.isSharedKey }
        }.map(\.event.seller))
        let units = Set(notAppended.filter { !wholeSellers.contains($0.event.seller) }.flatMap { event in
            event.unitEvents.map { SellerUnit(seller: event.event.seller, unit: $0.unit) }
        })
        let refoldedSellers = Self.fold(try read(PreparedBatch(appended.filter { wholeSellers.contains($0.event.seller) }), previousHead: previousHead))
        // Feedback and claim events are kept too: they may reach the refolded orders.
        let refoldedUnits = Self.fold(try read(PreparedBatch(appended.filter { event in
            !wholeSellers.contains(event.event.seller) && (event.event.type == .sellerConfigured
                || event.unitEvents.contains { $0.unit.isSharedKey || units.contains(SellerUnit(seller: event.event.seller, unit: $0.unit)) })
        }), previousHead: previousHead, onlyUnits: units))
        output.sellers.removeAll { wholeSellers.contains($0.seller) }
        output.sellers += refoldedSellers.sellers
        output.replaceUnits(with: refoldedUnits)
    }

    /// Stores a folded batch, which ends the log at `head`.
    func write(_ output: ProjectionOutput, head: Int64) throws {
        for seller in output.sellers {
            for unit in seller.units {
                try store(unit.stored, of: unit.key)
                updated.append((unit.key, unit.events))
            }
            // A configuration can move every order's expected ship date, or every day.
            if seller.isReconfigured {
                try rebuild(seller: seller.seller, settings: seller.settings)
            } else {
                try add(seller.change, seller: seller.seller)
            }
        }
        try db.execute(sql: "UPDATE projection_state SET last_sequence = ?", arguments: [head])
    }

    /// Recomputes every unit history and every counter from the events of the log.
    func rebuildAll(progress: ((Int) -> Void)? = nil) throws {
        let replay = try self.replay(progress: progress)
        try db.execute(sql: "DELETE FROM unit_histories; DELETE FROM metric_deltas")
        for seller in replay.sellers {
            let histories = replay.histories(of: seller)
            for (unit, events) in histories { try store(UnitHistoryCoding.encode(events), of: SellerUnit(seller: seller, unit: unit)) }
            try add(ProjectionReplay.deltas(of: histories, settings: replay.settings(of: seller)), seller: seller)
        }
        try db.execute(sql: "UPDATE projection_state SET last_sequence = (SELECT coalesce(max(seq), 0) FROM events)")
    }

    /// The log's events, of one seller or all, recorded up to `knownAt` or at any time, folded from scratch.
    /// `progress` hears the count of events replayed so far, a batch at a time.
    func replay(seller: String? = nil, knownAt: Instant? = nil, progress: ((Int) -> Void)? = nil) throws -> ProjectionReplay {
        var conditions: [String] = []
        var arguments: StatementArguments = []
        if let seller {
            conditions.append("seller = ?")
            arguments += [seller]
        }
        if let knownAt {
            conditions.append("recorded_us <= ?")
            arguments += [knownAt.microseconds]
        }
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        var replay = ProjectionReplay()
        // A replay is a function of the set of events: no order is asked for, so a seller's
        // events come in the order of the seller index, with no sort.
        try fold(sql: "SELECT json, recorded_us, seq FROM events \(filter)", arguments: arguments, into: &replay) { progress?($0) }
        return replay
    }

    /// One seller's events recorded up to `knownAt`, folded: from the latest snapshot whose
    /// events were all recorded by then, or from scratch without one.
    func knownAtReplay(seller: String, knownAt: Instant) throws -> ProjectionReplay {
        guard let snapshot = try ReplaySnapshots(db: db).latest(of: seller, notAfter: knownAt) else {
            return try replay(seller: seller, knownAt: knownAt)
        }
        var replay = ProjectionReplay()
        try snapshot.state.withUnsafeBytes { try replay.restore($0, seller: seller) }
        try fold(sql: "SELECT json, recorded_us, seq FROM events WHERE seller = ? AND recorded_us <= ? AND seq > ?",
                 arguments: [seller, knownAt.microseconds, snapshot.sequence], into: &replay)
        return replay
    }

    /// Where a replayed event stands in the log.
    struct LogPosition: Sendable {
        let recorded: Int64
        let sequence: Int64
    }

    /// Folds the events a query of `json, recorded_us, seq` rows selects into `replay`: a thread
    /// reads the rows a batch at a time, and each core folds whole batches into its own part as
    /// they come. Folding each batch in one slice a core left the cores waiting for the slower
    /// slice while the reader took a core's time (ops/BENCHMARKS.md, session 10). `folded`
    /// hears the count of events folded so far after each batch, one call at a time.
    private func fold(sql: String, arguments: StatementArguments, into replay: inout ProjectionReplay, folded: @escaping (_ eventCount: Int) -> Void = { _ in }) throws {
        let statement = try db.makeStatement(sql: sql)
        try statement.setArguments(arguments)
        nonisolated(unsafe) let rows = StoredRows(statement: statement.sqliteStatement, connection: db.sqliteConnection, sql: sql)
        let batches = BoundedQueue<StoredRows.Batch>(capacity: 2 * ParallelMap.cores)
        let reading = BackgroundThread {
            while true {
                switch rows.nextBatch() {
                case .success(let batch) where !batch.lines.isEmpty:
                    guard batches.push(batch) else { return Result<Void, Error>.success(()) }
                case .success:
                    batches.close()
                    return .success(())
                case .failure(let error):
                    batches.close()
                    return .failure(error)
                }
            }
        }
        let progress = FoldProgress(report: folded)
        replay.add(concurrently: { batches.pop() }) { batch, part in
            if let rejection = batch.fold(into: &part) {
                progress.fail(Self.undecodable(rejection))
                batches.close()
            } else {
                progress.add(batch.lines.count)
            }
        }
        // The statement outlives every read of it.
        batches.close()
        try reading.wait().get()
        try progress.check()
    }

    /// The events a query of `json, recorded_us, seq` rows selects, in its order, one at a time:
    /// `body` hears each event's place in the log and a function that folds the event into the
    /// part it is given.
    func forEachEvent(sql: String, arguments: StatementArguments,
                      _ body: (LogPosition, _ fold: (inout ProjectionReplay.Part) throws -> Void) throws -> Void) throws {
        try forEachStoredBatch(sql: sql, arguments: arguments) { batch in
            for index in batch.lines.indices {
                try body(batch.lines[index].position) { part in
                    if let rejection = batch.fold(line: index, into: &part) { throw Self.undecodable(rejection) }
                }
            }
        }
    }

    /// The rows a query of `json, recorded_us, seq` selects, a batch at a time: while `body`
    /// has one batch, the next batch's rows are read from the database on another thread, so
    /// `body` must not use the database.
    private func forEachStoredBatch(sql: String, arguments: StatementArguments, _ body: (StoredRows.Batch) throws -> Void) throws {
        let statement = try db.makeStatement(sql: sql)
        try statement.setArguments(arguments)
        // Only one thread at a time steps the statement: the reader of the batch being read.
        nonisolated(unsafe) let rows = StoredRows(statement: statement.sqliteStatement, connection: db.sqliteConnection, sql: sql)
        var next: BackgroundValue? = BackgroundValue { rows.nextBatch() }
        // The statement outlives no read of it, even when `body` throws.
        defer { _ = next?.wait() }
        while let reading = next {
            next = nil
            let batch = try reading.wait().get()
            guard !batch.lines.isEmpty else { return }
            next = BackgroundValue { rows.nextBatch() }
            try body(batch)
        }
    }

    /// The live counters of one seller, without the deltas that cancelled out.
    func liveDeltas(of seller: String) throws -> [DeltaKey: Counts] {
        let indexByID = Dictionary(uniqueKeysWithValues: MetricCatalog.all.enumerated().map { ($0.element.id, $0.offset) })
        var deltas: [DeltaKey: Counts] = [:]
        let rows = try Row.fetchCursor(db, sql: "SELECT metric, day, numerator, denominator FROM metric_deltas WHERE seller = ?", arguments: [seller])
        while let row = try rows.next() {
            let counts = Counts(numerator: row[2], denominator: row[3])
            guard !counts.isZero else { continue }
            guard let metric = indexByID[row[0]] else { throw StoreError.failed(path: "", reason: "the projection holds an unknown metric \(row[0] as String)") }
            deltas[DeltaKey(metric: metric, day: row[1])] = counts
        }
        return deltas
    }

    /// Sellers with live counters.
    func projectedSellers() throws -> Set<String> {
        Set(try String.fetchAll(db, sql: "SELECT DISTINCT seller FROM metric_deltas"))
    }

    /// Recomputes one seller's counters from its unit histories, as its settings now are.
    private func rebuild(seller: String, settings: SellerSettings) throws {
        try db.execute(sql: "DELETE FROM metric_deltas WHERE seller = ?", arguments: [seller])
        try add(ProjectionReplay.deltas(of: histories(of: seller), settings: settings), seller: seller)
    }

    /// Every unit history of the seller.
    func histories(of seller: String) throws -> [(unit: UnitReference, events: [UnitEvent])] {
        let rows = try Row.fetchCursor(db, sql: "SELECT unit, events FROM unit_histories WHERE seller = ?", arguments: [seller])
        var histories: [(unit: UnitReference, events: [UnitEvent])] = []
        while let row = try rows.next() {
            guard let unit = UnitReference(key: row[0]) else { throw StoreError.failed(path: "", reason: "a stored unit key is not one this build knows") }
            let bytes: Data = row[1]
            histories.append((unit, try bytes.withUnsafeBytes(UnitHistoryCoding.decode)))
        }
        return histories
    }

    func settings(of seller: String) throws -> SellerSettings {
        try settings(of: seller, upTo: .max, adding: [])
    }

    /// The seller's `seller_configured` events, up to sequence number `lastSequence`.
    func configurations(of seller: String, upTo lastSequence: Int64 = .max) throws -> [Event] {
        let statement = try db.cachedStatement(sql: """
            SELECT json FROM events INDEXED BY events_configuring WHERE seller = ? AND type = 'seller_configured' AND seq <= ?
            """)
        return try String.fetchAll(statement, arguments: [seller, lastSequence]).map(Self.decode)
    }

    private func settings(of seller: String, upTo lastSequence: Int64, adding configurations: [Event]) throws -> SellerSettings {
        SellerSettings(configurationEvents: try self.configurations(of: seller, upTo: lastSequence) + configurations)
    }

    /// What a unit has read of the log so far, in valid-time order.
    private func history(of unit: UnitReference, seller: String) throws -> [UnitEvent] {
        var statement = RawStatement(try db.cachedStatement(sql: "SELECT events FROM unit_histories WHERE seller = ? AND unit = ?"))
        statement.bind(seller)
        statement.bind(unit.key)
        return try statement.fetchBlob(UnitHistoryCoding.decode) ?? []
    }

    private func store(_ history: [UInt8], of key: SellerUnit) throws {
        var statement = RawStatement(try db.cachedStatement(sql: """
            INSERT INTO unit_histories (seller, unit, events) VALUES (?, ?, ?)
            ON CONFLICT (seller, unit) DO UPDATE SET events = excluded.events
            """))
        statement.bind(key.seller)
        statement.bind(key.unit.key)
        history.withUnsafeBytes { statement.bind($0) }
        _ = try statement.step()
    }

    private func add(_ change: ContributionSum, seller: String) throws {
        var statement = RawStatement(try db.cachedStatement(sql: """
            INSERT INTO metric_deltas (seller, metric, day, numerator, denominator) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (seller, metric, day) DO UPDATE
            SET numerator = numerator + excluded.numerator, denominator = denominator + excluded.denominator
            """))
        for (key, counts) in change.deltas {
            statement.bind(seller)
            statement.bind(MetricCatalog.all[key.metric].id)
            statement.bind(Int64(key.day))
            statement.bind(counts.numerator)
            statement.bind(counts.denominator)
            _ = try statement.step()
        }
    }

    /// Events in the log passed validation when they were appended.
    static func decode(_ json: String) throws -> Event { try EventDecoder.decodeStored(json).mapError(undecodable).get() }

    fileprivate static func undecodable(_ rejection: Rejection) -> StoreError {
        .failed(path: "", reason: "a stored event no longer decodes: \(rejection)")
    }
}

/// The rows of a query of `json, recorded_us, seq`, read a batch at a time into one buffer.
private final class StoredRows {
    struct Batch: Sendable {
        var bytes: [UInt8] = []
        var lines: [(range: Range<Int>, position: Projector.LogPosition)] = []

        /// Folds every line into `part`; the rejection of the first line that no longer decodes,
        /// which stops the fold.
        func fold(into part: inout ProjectionReplay.Part) -> Rejection? {
            for index in lines.indices {
                if let rejection = fold(line: index, into: &part) { return rejection }
            }
            return nil
        }

        /// Folds the line at `index` into `part`: in place where it can be read so, through
        /// `EventDecoder` otherwise; the rejection of a line that no longer decodes.
        func fold(line index: Int, into part: inout ProjectionReplay.Part) -> Rejection? {
            bytes.withUnsafeBufferPointer { bytes in
                let line = UnsafeBufferPointer(rebasing: bytes[lines[index].range])
                guard !part.add(storedLine: line) else { return nil }
                switch EventDecoder.decodeStored(String(decoding: line, as: UTF8.self)) {
                case .success(let event):
                    part.add(ReplayedEvent(event))
                    return nil
                case .failure(let rejection): return rejection
                }
            }
        }
    }

    /// Large enough that each core's slice of a batch outweighs waking the cores for it and
    /// waiting for the slower one (8 192: 15-20% slower on a 10M-event log).
    static let batchSize = 32_768
    private let statement: OpaquePointer
    private let connection: OpaquePointer?
    private let sql: String
    /// Stepped once more, a finished statement would start again.
    private var isDone = false
    /// The most bytes a batch has held: the next one is given room for as many, rather than
    /// grown to it by doubling, each time copying what it holds.
    private var largestBatchBytes = 0

    init(statement: OpaquePointer, connection: OpaquePointer?, sql: String) {
        self.statement = statement
        self.connection = connection
        self.sql = sql
    }

    /// The next rows, none at the end.
    func nextBatch() -> Result<Batch, DatabaseError> {
        var batch = Batch()
        batch.lines.reserveCapacity(Self.batchSize)
        batch.bytes.reserveCapacity(largestBatchBytes)
        defer { largestBatchBytes = max(largestBatchBytes, batch.bytes.count) }
        while !isDone, batch.lines.count < Self.batchSize {
            let code = sqlite3_step(statement)
            guard code == SQLITE_ROW else {
                isDone = true
                guard code == SQLITE_DONE else {
                    return .failure(DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(connection)), sql: sql))
                }
                break
            }
            let start = batch.bytes.count
            batch.bytes.append(contentsOf: UnsafeBufferPointer(start: sqlite3_column_text(statement, 0), count: Int(sqlite3_column_bytes(statement, 0))))
            batch.lines.append((start..<batch.bytes.count, Projector.LogPosition(recorded: sqlite3_column_int64(statement, 1), sequence: sqlite3_column_int64(statement, 2))))
        }
        return .success(batch)
    }
}

/// Items handed from one thread to others, at most `capacity` waiting: `push` waits for room
/// and `pop` for an item; once closed, `push` refuses and `pop` returns what is left, then nil.
final class BoundedQueue<Item>: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [Item] = []
    private var closed = false
    private let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    /// False once the queue is closed: nobody takes items any more.
    func push(_ item: Item) -> Bool {
        condition.withLock {
            while items.count >= capacity, !closed { condition.wait() }
            guard !closed else { return false }
            items.append(item)
            condition.broadcast()
            return true
        }
    }

    func pop() -> Item? {
        condition.withLock {
            while items.isEmpty, !closed { condition.wait() }
            guard !items.isEmpty else { return nil }
            condition.broadcast()
            return items.removeFirst()
        }
    }

    func close() {
        condition.withLock {
            closed = true
            condition.broadcast()
        }
    }
}

/// A value computed on a thread of its own: unlike work sent to Dispatch's queues, it runs
/// even while every core's worker waits for what it produces.
final class BackgroundThread<Value: Sendable>: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var value: Value?

    init(_ compute: @escaping @Sendable () -> Value) {
        Thread { [self] in
            value = compute()
            done.signal()
        }.start()
    }

    /// Waits for the value; call once.
    func wait() -> Value {
        done.wait()
        return value!
    }
}

/// The events folded so far, reported one call at a time, and the first error any core met.
private final class FoldProgress: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    private var failure: (any Error)?
    private let report: (Int) -> Void

    init(report: @escaping (Int) -> Void) { self.report = report }

    func add(_ events: Int) {
        lock.withLock {
            count += events
            report(count)
        }
    }

    func fail(_ error: any Error) { lock.withLock { failure = failure ?? error } }

    func check() throws { if let failure = lock.withLock({ failure }) { throw failure } }
}
