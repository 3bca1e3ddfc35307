import Foundation
import GRDBSQLite
import HealthLedgerCore
import HealthLedgerSimulation
import HealthLedgerStore
import Crypto

/// Ingest throughput: `healthledger ingest` on a file of generated events, beside a plain
/// prepared-statement SQLite insert of the same rows (every stored column computed
/// beforehand, untimed; transactions of the size ingest uses) into the log's own table, and
/// into a bare table of the same columns with no index; runs alternate so that all three see
/// the same noise.
///
/// Usage: HealthLedgerBenchmarks ingest|projections HEALTHLEDGER_BINARY EVENTS RUNS WORK_FOLDER
let arguments = CommandLine.arguments
guard arguments.count == 6, ["ingest", "projections"].contains(arguments[1]), let eventCount = Int(arguments[3]), let runs = Int(arguments[4]) else {
    FileHandle.standardError.write(Data("usage: HealthLedgerBenchmarks ingest|projections HEALTHLEDGER_BINARY EVENTS RUNS WORK_FOLDER\n".utf8))
    exit(2)
}
let binary = arguments[2]
let work = URL(fileURLWithPath: arguments[5])
try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
if arguments[1] == "projections" {
    try ProjectionBenchmark.run(binary: binary, size: eventCount, runs: runs, work: work)
    exit(0)
}

// 1. Generated input, untimed.
let input = work.appendingPathComponent("events.ndjson")
var lines: [String] = []
lines.reserveCapacity(eventCount)
let sellers = 20
let ordersPerDay = max(1, eventCount / (sellers * 365 * 4))
var generator = EventGenerator(.init(sellers: sellers, days: 400, ordersPerDay: ordersPerDay, seed: 7, duplicateFraction: 0))
generator.run { line in if lines.count < eventCount { lines.append(line) } }
try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: input)

// 2. The rows a plain insert writes: every column HealthLedger stores, without validation.
struct PlainRow {
    let id, type, seller, at, json: String
    let atMicroseconds: Int64
    let unit, orderReference: String?
    let digest, hash: [UInt8]
}
let rows: [PlainRow] = lines.map { line in
    let prepared = PreparedEvent(try! EventDecoder.decode(Array(line.utf8)).get())
    let event = prepared.event
    let digest = Array(prepared.digest)
    return PlainRow(id: event.id, type: event.type.rawValue, seller: event.seller, at: event.string("at")!, json: line,
                    atMicroseconds: event.at.microseconds, unit: prepared.unitKey, orderReference: prepared.orderReference,
                    digest: digest, hash: Array(SHA256.hash(data: digest)))
}

func check(_ code: Int32, _ db: OpaquePointer?) {
    guard code == SQLITE_OK || code == SQLITE_DONE || code == SQLITE_ROW else {
        fatalError(String(cString: sqlite3_errmsg(db)))
    }
}

enum Table {
    /// The log's own schema, created by HealthLedger.
    case log
    /// The same columns, no index, no constraint.
    case bare
}

func plainInsert(into path: String, table: Table) -> Double {
    if table == .log { _ = try! EventLog(path: path) }
    var db: OpaquePointer?
    check(sqlite3_open(path, &db), db)
    // The log just created may still be closing on its checkpointer's thread.
    sqlite3_busy_timeout(db, 10_000)
    check(sqlite3_exec(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA cache_size = -65536", nil, nil, nil), db)
    if table == .bare {
        check(sqlite3_exec(db, """
            CREATE TABLE events (seq INTEGER, id TEXT, type TEXT, seller TEXT, at TEXT, at_us INTEGER, recorded_us INTEGER,
              unit TEXT, order_ref TEXT, json TEXT, digest BLOB, hash BLOB)
            """, nil, nil, nil), db)
    }
    var statement: OpaquePointer?
    check(sqlite3_prepare_v2(db, "INSERT INTO events (seq, id, type, seller, at, at_us, recorded_us, unit, order_ref, json, digest, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", -1, &statement, nil), db)
    let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
    func bind(_ index: Int32, _ text: String?) {
        if let text { sqlite3_bind_text(statement, index, text, -1, transient) } else { sqlite3_bind_null(statement, index) }
    }
    let start = now()
    for batch in stride(from: 0, to: rows.count, by: EventLog.transactionSize) {
        check(sqlite3_exec(db, "BEGIN IMMEDIATE", nil, nil, nil), db)
        for (offset, row) in rows[batch..<min(batch + EventLog.transactionSize, rows.count)].enumerated() {
            sqlite3_bind_int64(statement, 1, Int64(batch + offset + 1))
            bind(2, row.id)
            bind(3, row.type)
            bind(4, row.seller)
            bind(5, row.at)
            sqlite3_bind_int64(statement, 6, row.atMicroseconds)
            sqlite3_bind_int64(statement, 7, 1_780_000_000_000_000)
            bind(8, row.unit)
            bind(9, row.orderReference)
            bind(10, row.json)
            sqlite3_bind_blob(statement, 11, row.digest, 32, transient)
            sqlite3_bind_blob(statement, 12, row.hash, 32, transient)
            check(sqlite3_step(statement), db)
            sqlite3_reset(statement)
        }
        check(sqlite3_exec(db, "COMMIT", nil, nil, nil), db)
    }
    let elapsed = now() - start
    sqlite3_finalize(statement)
    sqlite3_close(db)
    return elapsed
}

func ingest(into path: String) -> Double {
    timedRun(binary, ["ingest", "--db", path, "--recorded-at", "2027-06-01T00:00:00Z", input.path])
}

func fresh(_ name: String) -> String {
    let path = work.appendingPathComponent(name).path
    for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    return path
}

var ingestSeconds: [Double] = [], logSeconds: [Double] = [], bareSeconds: [Double] = []
for run in 1...runs {
    logSeconds.append(plainInsert(into: fresh("plain-log.sqlite"), table: .log))
    bareSeconds.append(plainInsert(into: fresh("plain-bare.sqlite"), table: .bare))
    ingestSeconds.append(ingest(into: fresh("ingest.sqlite")))
    print("run \(run): healthledger ingest \(format(ingestSeconds.last!)) s, plain insert into the log's table \(format(logSeconds.last!)) s, into a bare table \(format(bareSeconds.last!)) s")
}
func rate(_ seconds: [Double]) -> Double { Double(rows.count) / median(seconds) }
print("events: \(rows.count), runs: \(runs), medians:")
print("  healthledger ingest:              \(Int(rate(ingestSeconds))) events/s")
print("  plain insert, the log's table:    \(Int(rate(logSeconds))) rows/s  (ingest runs at \(String(format: "%.2f", rate(ingestSeconds) / rate(logSeconds)))x)")
print("  plain insert, bare table:         \(Int(rate(bareSeconds))) rows/s  (ingest runs at \(String(format: "%.2f", rate(ingestSeconds) / rate(bareSeconds)))x)")
