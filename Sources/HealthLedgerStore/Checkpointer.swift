import Dispatch
import Foundation
import GRDB

/// Copies the write-ahead log into the database file on a connection and a thread of its own.
/// SQLite's automatic checkpoint runs inside the commit that crosses its threshold, on the
/// appending thread, which then waits for the copy and its sync; here the next transaction
/// goes on while the previous ones are copied. A passive checkpoint never blocks a reader or
/// the writer; one that cannot finish (a reader still needs old frames) leaves them for the
/// next one, or for the close of the last connection.
final class Checkpointer: @unchecked Sendable {
    private let connection: DatabaseQueue
    private let running = DispatchGroup()
    private let lock = NSLock()
    private var isRequested = false

    init(path: String, configuration: Configuration) throws {
        connection = try DatabaseQueue(path: path, configuration: configuration)
    }

    /// Starts a checkpoint unless one is waiting to start, which will copy what is committed now.
    func request() {
        let isWaiting = lock.withLock {
            defer { isRequested = true }
            return isRequested
        }
        guard !isWaiting else { return }
        DispatchQueue.global().async(group: running) { [self] in
            lock.withLock { isRequested = false }
            // A failed checkpoint loses nothing: the frames stay in the log for the next one.
            try? connection.writeWithoutTransaction { try $0.checkpoint(.passive) }
        }
    }

    /// Waits for the checkpoints started so far, so that closing the log finds none running.
    func wait() { running.wait() }
}
