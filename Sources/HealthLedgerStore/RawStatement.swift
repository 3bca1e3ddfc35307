import GRDB
import GRDBSQLite

/// Binds and steps a GRDB-prepared statement through the C API, without building
/// `StatementArguments`: the append path runs this once per event.
struct RawStatement {
    private let statement: Statement
    private let db: Database
    private var index: Int32 = 0

    init(_ statement: Statement, in db: Database) {
        self.statement = statement
        self.db = db
    }

    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    private var handle: OpaquePointer { statement.sqliteStatement }

    mutating func bind(_ text: String?) {
        index += 1
        guard var text else {
            sqlite3_bind_null(handle, index)
            return
        }
        text.withUTF8 { bytes in
            _ = sqlite3_bind_text(handle, index, bytes.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) }, Int32(bytes.count), Self.transient)
        }
    }

    mutating func bind(_ integer: Int64) {
        index += 1
        sqlite3_bind_int64(handle, index, integer)
    }

    mutating func bind(_ bytes: UnsafeRawBufferPointer) {
        index += 1
        sqlite3_bind_blob(handle, index, bytes.baseAddress, Int32(bytes.count), Self.transient)
    }

    /// Runs a query for one blob column and hands its bytes to `read`; nil when no row matches.
    mutating func fetchBlob<T>(_ read: (UnsafeRawBufferPointer) throws -> T) throws -> T? {
        defer {
            sqlite3_reset(handle)
            sqlite3_clear_bindings(handle)
            index = 0
        }
        switch sqlite3_step(handle) {
        case SQLITE_ROW:
            let bytes = UnsafeRawBufferPointer(start: sqlite3_column_blob(handle, 0), count: Int(sqlite3_column_bytes(handle, 0)))
            return try read(bytes)
        case SQLITE_DONE:
            return nil
        case let code:
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)), sql: statement.sql)
        }
    }

    /// Runs the statement once and returns how many rows it changed.
    mutating func step() throws -> Int32 {
        defer {
            sqlite3_reset(handle)
            sqlite3_clear_bindings(handle)
            index = 0
        }
        let code = sqlite3_step(handle)
        guard code == SQLITE_DONE else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)), sql: statement.sql)
        }
        return sqlite3_changes(db.sqliteConnection)
    }
}
