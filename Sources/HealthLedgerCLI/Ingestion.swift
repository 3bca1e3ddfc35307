import Foundation
import HealthLedgerCore
import HealthLedgerStore

/// A line that was not appended, with where it came from and what it said.
struct RejectedLine {
    let file: String
    let line: Int
    let rejection: Rejection
    let original: String

    /// `FILE:LINE: field: reason: sentence`.
    var report: String { "\(file):\(line): \(rejection)" }
}

struct IngestSummary {
    var appended = 0
    var duplicates = 0
    var rejected = 0
    var linesRead = 0
    /// The sequence number of the last event this ingest appended (0: none yet).
    var lastSequence: Int64 = 0
    /// The last input line the committed transactions took in: it and every line before it
    /// are appended, duplicates or rejected.
    var through: (file: String, line: Int)?
}

/// Streams NDJSON files into the log. Two stages on two threads: the caller's reads and
/// decodes lines into batches; a committer appends each batch in one transaction and then
/// reports its rejected lines in line order.
final class Ingestion: @unchecked Sendable {
    static let defaultBatchSize = EventLog.transactionSize

    private struct Origin {
        let fileOrdinal: Int
        let file: String
        let line: Int
    }

    private struct Batch {
        var prepared = PreparedBatch()
        var origins: [Origin] = []
        var rejections: [(origin: Origin, rejection: Rejection, original: String)] = []
        var linesRead = 0
        var through: (file: String, line: Int)?
    }

    private let log: EventLog
    private let pinnedRecordedAt: Instant?
    private let batchSize: Int
    private let snapshotMinimum: Int
    private let onRejection: (RejectedLine) -> Void
    private let onCommit: (IngestSummary) -> Void
    private let committer: Pipeline<Batch>
    // Only the decoding stage touches these.
    private var current = Batch()
    /// The events the batch being filled takes: see `ingest(path:)`.
    private var currentLimit: Int
    private var fileOrdinal = 0
    // Only the committing stage touches this until `finish` returns it.
    private var summary = IngestSummary()

    init(log: EventLog, recordedAt: Instant?, batchSize: Int = defaultBatchSize, snapshotMinimum: Int = EventLog.snapshotMinimumEvents,
         onRejection: @escaping (RejectedLine) -> Void, onCommit: @escaping (IngestSummary) -> Void = { _ in }) {
        self.log = log
        pinnedRecordedAt = recordedAt
        self.batchSize = batchSize
        currentLimit = batchSize
        self.snapshotMinimum = snapshotMinimum
        self.onRejection = onRejection
        self.onCommit = onCommit
        committer = Pipeline()
        committer.start { [unowned self] batch in try self.commit(batch) }
    }

    func ingest(path: String) throws {
        let (source, close) = try InputFile.open(path)
        defer { close() }
        var reader = LineReader(source)
        let name = path == "-" ? "<stdin>" : path
        // On a file of many transactions the first is an eighth of the others, so that the
        // committer starts early; a file of about one is appended in one, which costs the log
        // less than two.
        if fileOrdinal == 0, Self.bytes(of: path) > batchSize * Self.typicalLineBytes { currentLimit = max(1, batchSize / 8) }
        fileOrdinal += 1
        try reader.forEachLine { number, line in
            current.linesRead += 1
            current.through = (name, number)
            let origin = Origin(fileOrdinal: fileOrdinal, file: name, line: number)
            switch line {
            case .tooLong:
                current.rejections.append((origin, EventDecoder.lineTooLong, ""))
            case .bytes(let bytes):
                try take(bytes, from: origin)
            }
        }
    }

    /// A generated event's line is 120 to 180 bytes.
    static let typicalLineBytes = 150

    /// The size of a regular file, 0 for anything else.
    private static func bytes(of path: String) -> Int {
        guard path != "-", let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              attributes[.type] as? FileAttributeType == .typeRegular
        else { return 0 }
        return (attributes[.size] as? Int) ?? 0
    }

    /// Takes lines made from another file's lines (imported report rows): rejections name
    /// `file` and the source line of each.
    func ingest(lines: [(line: Int, bytes: [UInt8])], from file: String) throws {
        fileOrdinal += 1
        for (number, bytes) in lines {
            current.linesRead += 1
            current.through = (file, number)
            try take(bytes, from: Origin(fileOrdinal: fileOrdinal, file: file, line: number))
        }
    }

    private func take(_ bytes: some Collection<UInt8>, from origin: Origin) throws {
        if EventDecoder.isBlank(bytes) { return }
        switch EventDecoder.decode(bytes) {
        case .success(let decoded):
            current.prepared.append(PreparedEvent(decoded))
            current.origins.append(origin)
            if current.prepared.events.count >= currentLimit { try handOver() }
        case .failure(let rejection):
            current.rejections.append((origin, rejection, String(decoding: bytes, as: UTF8.self)))
        }
    }

    /// Commits what is left and waits for the committer; then, when anything was appended,
    /// takes the replay snapshots that are due. Returns the totals.
    func finish() throws -> IngestSummary {
        try handOver()
        try committer.finish()
        if summary.appended > 0 { try log.refreshSnapshots(minimumEvents: snapshotMinimum) }
        return summary
    }

    private func handOver() throws {
        let batch = current
        current = Batch()
        currentLimit = batchSize
        try committer.send(batch)
    }

    private func commit(_ batch: Batch) throws {
        summary.linesRead += batch.linesRead
        summary.through = batch.through ?? summary.through
        var rejected = batch.rejections
        if !batch.prepared.events.isEmpty {
            let recordedAt = pinnedRecordedAt ?? .now
            for (index, outcome) in try log.append(batch.prepared, recordedAt: recordedAt).enumerated() {
                switch outcome {
                case .appended(let sequence):
                    summary.appended += 1
                    summary.lastSequence = sequence
                case .duplicate:
                    summary.duplicates += 1
                case .rejected(let rejection):
                    rejected.append((batch.origins[index], rejection, batch.prepared.events[index].json))
                }
            }
        }
        summary.rejected += rejected.count
        rejected.sort { ($0.origin.fileOrdinal, $0.origin.line) < ($1.origin.fileOrdinal, $1.origin.line) }
        for entry in rejected {
            onRejection(RejectedLine(file: entry.origin.file, line: entry.origin.line, rejection: entry.rejection, original: entry.original))
        }
        onCommit(summary)
    }
}

/// A second thread that handles items in order, at most `capacity` waiting, and leaves each
/// handled item to be freed on another thread. The first error it meets stops it; `send` and
/// `finish` then rethrow that error.
final class Pipeline<Item>: @unchecked Sendable {
    private let condition = NSCondition()
    private var queue: [Item] = []
    private var closed = false
    private var failure: (any Error)?
    private var done = false
    private let capacity: Int

    init(capacity: Int = 2) { self.capacity = capacity }

    func start(_ handle: @escaping @Sendable (Item) throws -> Void) {
        let thread = Thread { [self] in
            while let item = next() {
                do {
                    try handle(item)
                    BackgroundRelease.drop(consume item)
                } catch {
                    condition.withLock { failure = error; queue.removeAll(); condition.broadcast() }
                    break
                }
            }
            condition.withLock { done = true; condition.broadcast() }
        }
        thread.stackSize = 8 << 20
        thread.start()
    }

    func send(_ item: Item) throws {
        try condition.withLock {
            while queue.count >= capacity, failure == nil { condition.wait() }
            if let failure { throw failure }
            queue.append(item)
            condition.broadcast()
        }
    }

    func finish() throws {
        try condition.withLock {
            closed = true
            condition.broadcast()
            while !done { condition.wait() }
            if let failure { throw failure }
        }
    }

    private func next() -> Item? {
        condition.withLock {
            while queue.isEmpty, !closed, failure == nil { condition.wait() }
            guard failure == nil, !queue.isEmpty else { return nil }
            condition.broadcast()
            return queue.removeFirst()
        }
    }
}
