import Dispatch
import Foundation
import GRDB

/// Copies the write-ahead log into the database file on a connection and a thread of its own.
/// SQLite's automatic checkpoint runs inside the commit that crosses its threshold, on the
/// appending thread, which then waits for the copy and its sync; here the next transaction
/// goes on while the previous ones are copied. A passive checkpoint never blocks a reader or
/// the writer; one that cannot finish (a reader still needs old frames) leaves them for the
/// next one, or for the close of the last connection.
///
/// SQLite starts the log over only when a write transaction begins after a checkpoint has
/// copied all of it, which a writer that begins again at once never sees: so once the log
/// holds more than `frameLimit` frames, the next append waits for the running checkpoint.
final class Checkpointer: @unchecked Sendable {
    /// 1 GiB of 4 KiB pages: a bulk ingest waits about once every dozen transactions.
    static let frameLimit = 262_144

    private let connection: DatabaseQueue
    private let running = DispatchGroup()
    private let lock = NSLock()
    private var isRequested = false
    /// The log's length in frames at the end of the latest checkpoint.
    private var framesInLog = 0

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
            guard let frames = try? connection.writeWithoutTransaction({ try $0.checkpoint(.passive).walFrameCount }) else { return }
            lock.withLock { framesInLog = frames }
        }
    }

    /// Before a write transaction: waits for the running checkpoint once the log is longer
    /// than `frameLimit`, so that the transaction starts it over.
    func boundLog() {
        guard lock.withLock({ framesInLog > Self.frameLimit }) else { return }
        wait()
        // Started over by the transaction; the next checkpoint tells.
        lock.withLock { framesInLog = 0 }
    }

    /// Waits for the checkpoints started so far, so that closing the log finds none running.
    func wait() { running.wait() }
}
