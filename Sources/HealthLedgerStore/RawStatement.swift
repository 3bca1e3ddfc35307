import GRDB
import GRDBSQLite

/// Binds and steps a GRDB-prepared statement through the C API, without building
/// `StatementArguments`: the append path runs this once per event.
///
/// Texts and blobs are gathered in one buffer that SQLite reads where it lies when the
/// statement runs (`SQLITE_STATIC`): bound as copies, each took an allocation of SQLite's own,
/// an eighth of the instructions of an event's insert. Kept across runs, the buffer is
/// allocated once.
struct RawStatement {
    private let statement: Statement
    private var index: Int32 = 0
    private var bytes: [UInt8] = []
    private var byteParameters: [(index: Int32, range: Range<Int>, isText: Bool)] = []

    init(_ statement: Statement) {
        self.statement = statement
    }

    private static var empty: UnsafeRawPointer { UnsafeRawPointer(StaticString("").utf8Start) }

    private var handle: OpaquePointer { statement.sqliteStatement }

    mutating func bind(_ text: String?) {
        index += 1
        guard var text else {
            sqlite3_bind_null(handle, index)
            return
        }
        text.withUTF8 { gather(UnsafeRawBufferPointer($0), isText: true) }
    }

    mutating func bind(_ integer: Int64) {
        index += 1
        sqlite3_bind_int64(handle, index, integer)
    }

    mutating func bind(_ blob: UnsafeRawBufferPointer) {
        index += 1
        gather(blob, isText: false)
    }

    private mutating func gather(_ parameter: UnsafeRawBufferPointer, isText: Bool) {
        let start = bytes.count
        bytes.append(contentsOf: parameter)
        byteParameters.append((index, start..<bytes.count, isText))
    }

    /// Runs a query for one blob column and hands its bytes to `read`; nil when no row matches.
    mutating func fetchBlob<T>(_ read: (UnsafeRawBufferPointer) throws -> T) throws -> T? {
        try run { code, handle in
            switch code {
            case SQLITE_ROW: try read(UnsafeRawBufferPointer(start: sqlite3_column_blob(handle, 0), count: Int(sqlite3_column_bytes(handle, 0))))
            case SQLITE_DONE: nil
            default: throw Self.failure(code, of: handle)
            }
        }
    }

    /// Runs the statement once and returns how many rows it changed.
    mutating func step() throws -> Int32 {
        try run { code, handle in
            guard code == SQLITE_DONE else { throw Self.failure(code, of: handle) }
            return sqlite3_changes(sqlite3_db_handle(handle))
        }
    }

    /// Binds the gathered bytes, steps once and hands the result code to `body`; then resets
    /// the statement, so that SQLite no longer points into the buffer, for the next run.
    private mutating func run<T>(_ body: (Int32, OpaquePointer) throws -> T) throws -> T {
        let handle = handle
        defer {
            index = 0
            bytes.removeAll(keepingCapacity: true)
            byteParameters.removeAll(keepingCapacity: true)
        }
        return try bytes.withUnsafeBytes { [byteParameters] buffer in
            defer {
                sqlite3_reset(handle)
                sqlite3_clear_bindings(handle)
            }
            for (index, range, isText) in byteParameters {
                // An empty buffer has no address, and a null pointer binds NULL.
                let start = range.isEmpty ? Self.empty : buffer.baseAddress! + range.lowerBound
                if isText {
                    sqlite3_bind_text(handle, index, start.assumingMemoryBound(to: CChar.self), Int32(range.count), nil)
                } else {
                    sqlite3_bind_blob(handle, index, start, Int32(range.count), nil)
                }
            }
            return try body(sqlite3_step(handle), handle)
        }
    }

    private static func failure(_ code: Int32, of handle: OpaquePointer) -> DatabaseError {
        DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(sqlite3_db_handle(handle))),
                      sql: String(cString: sqlite3_sql(handle)))
    }
}
