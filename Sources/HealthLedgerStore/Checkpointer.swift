import Dispatch
import Foundation
import GRDB
import GRDBSQLite

/// Copies the write-ahead log into the database file on a connection and a thread of its own,
/// in place of SQLite's automatic checkpoint, which runs inside the commit that crosses its
/// threshold, on the writing thread: here the next transaction goes on while the previous ones
/// are copied. A passive checkpoint never blocks a reader or the writer; one that cannot finish
/// (a reader still needs old frames) leaves them for the next one, or for the close of the last
/// connection.
///
/// SQLite starts the log over only when a write transaction begins after a checkpoint has
/// copied all of it, which a writer that begins again at once never sees: so once a commit
/// leaves the log longer than `frameLimit` frames, the next append waits for the checkpoint.
final class Checkpointer: @unchecked Sendable {
    /// 1 GiB of 4 KiB pages: a bulk ingest waits about once every dozen transactions.
    static let defaultFrameLimit = 262_144

    private let path: String
    private let configuration: Configuration
    private let frameLimit: Int
    private let worker = DispatchQueue(label: "healthledger.checkpoint")
    private let running = DispatchGroup()
    private let lock = NSLock()
    private var isRequested = false
    /// The log's length in frames, as the latest commit left it.
    private var framesInLog = 0
    /// Opened by the first checkpoint; used on `worker` only.
    private var connection: DatabaseQueue?

    init(path: String, configuration: Configuration, frameLimit: Int) {
        self.path = path
        self.configuration = configuration
        self.frameLimit = frameLimit
    }

    /// Has every commit on the writer's connection `db` report here. The checkpointer must
    /// outlive the connection's last commit.
    func watch(_ db: Database) {
        sqlite3_wal_hook(db.sqliteConnection, { context, _, _, frames in
            Unmanaged<Checkpointer>.fromOpaque(context!).takeUnretainedValue().committed(frames: Int(frames))
            return SQLITE_OK
        }, Unmanaged.passUnretained(self).toOpaque())
    }

    /// Starts a checkpoint unless one is waiting to start, which will copy this commit too.
    /// Called by SQLite inside the commit: it must not use the writer's connection.
    private func committed(frames: Int) {
        let isWaiting = lock.withLock {
            framesInLog = frames
            defer { isRequested = true }
            return isRequested
        }
        guard !isWaiting else { return }
        worker.async(group: running) { [self] in
            lock.withLock { isRequested = false }
            // A failed checkpoint loses nothing: the frames stay in the log for the next one.
            try? checkpoint()
        }
    }

    private func checkpoint() throws {
        if connection == nil { connection = try DatabaseQueue(path: path, configuration: configuration) }
        try connection?.writeWithoutTransaction { _ = try $0.checkpoint(.passive) }
    }

    /// Before a write transaction: waits for the checkpoint once the log is longer than
    /// `frameLimit`, so that the transaction starts it over.
    func boundLog() {
        if lock.withLock({ framesInLog > frameLimit }) { wait() }
    }

    /// Waits for the checkpoints started so far, so that closing the log finds none running.
    func wait() { running.wait() }
}
