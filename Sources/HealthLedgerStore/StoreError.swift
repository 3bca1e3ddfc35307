import GRDB

/// A store failure, told as one sentence a person can act on.
public enum StoreError: Error, Equatable, CustomStringConvertible {
    case missing(path: String)
    case readOnly(path: String)
    case notADatabase(path: String)
    case newerSchema(path: String)
    case diskFull(path: String)
    case writeFailed(path: String)
    case cannotOpen(path: String, reason: String)
    case failed(path: String, reason: String)

    init(path: String, _ error: any Error) {
        if let error = error as? StoreError {
            self = error
            return
        }
        guard let error = error as? DatabaseError else {
            self = .failed(path: path, reason: "\(error)")
            return
        }
        if error.extendedResultCode == .SQLITE_IOERR_WRITE {
            self = .writeFailed(path: path)
            return
        }
        switch error.resultCode {
        case .SQLITE_READONLY, .SQLITE_PERM: self = .readOnly(path: path)
        case .SQLITE_NOTADB, .SQLITE_CORRUPT: self = .notADatabase(path: path)
        case .SQLITE_FULL: self = .diskFull(path: path)
        case .SQLITE_CANTOPEN: self = .cannotOpen(path: path, reason: error.message ?? "unable to open the file")
        default: self = .failed(path: path, reason: error.message ?? "\(error.resultCode)")
        }
    }

    public var description: String {
        switch self {
        case .missing(let path): "There is no database at \(path)."
        case .readOnly(let path): "The database \(path) is read-only: check the permissions of the file and of its folder."
        case .notADatabase(let path): "\(path) is not a HealthLedger database, or it is corrupt."
        case .newerSchema(let path): "The database \(path) was written by a newer HealthLedger; upgrade HealthLedger to open it."
        case .diskFull(let path): "The disk holding \(path) is full; nothing after the last committed batch was appended."
        case .writeFailed(let path): "Writing the database \(path) failed (a full disk, or a file-size limit); nothing after the last committed batch was appended."
        case .cannotOpen(let path, let reason): "Cannot open the database \(path): \(reason)."
        case .failed(let path, let reason): "The database \(path) failed: \(reason)."
        }
    }
}
