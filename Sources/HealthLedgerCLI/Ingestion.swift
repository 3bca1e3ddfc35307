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

struct IngestSummary: Equatable {
    var appended = 0
    var duplicates = 0
    var rejected = 0
    var linesRead = 0
    var lastSequence: Int64?
}

/// Streams NDJSON files into the log: decodes each line, appends in large transactions,
/// and reports every line it does not append.
final class Ingestion {
    static let defaultBatchSize = 20_000

    private let log: EventLog
    private let pinnedRecordedAt: Instant?
    private let batchSize: Int
    private let onRejection: (RejectedLine) -> Void
    private let onCommit: (IngestSummary) -> Void
    private var pending: [DecodedEvent] = []
    private var pendingOrigins: [(file: String, line: Int)] = []
    /// Rejections held back until the batch they stand in is committed, so that they are
    /// reported in line order.
    private var pendingRejections: [(fileOrdinal: Int, rejected: RejectedLine)] = []
    private var fileOrdinal = 0
    private var pendingOrdinals: [Int] = []
    private(set) var summary = IngestSummary()

    init(log: EventLog, recordedAt: Instant?, batchSize: Int = defaultBatchSize,
         onRejection: @escaping (RejectedLine) -> Void, onCommit: @escaping (IngestSummary) -> Void = { _ in }) {
        self.log = log
        pinnedRecordedAt = recordedAt
        self.batchSize = batchSize
        self.onRejection = onRejection
        self.onCommit = onCommit
    }

    func ingest(path: String) throws {
        let (source, close) = try InputFile.open(path)
        defer { close() }
        var reader = LineReader(source)
        let name = path == "-" ? "<stdin>" : path
        fileOrdinal += 1
        try reader.forEachLine { number, line in
            summary.linesRead += 1
            switch line {
            case .tooLong:
                reject(file: name, line: number, Rejection(.badLength, "the line is longer than \(EventDecoder.maximumLineBytes) bytes"), original: "")
            case .bytes(let bytes):
                if EventDecoder.isBlank(bytes) { return }
                switch EventDecoder.decode(bytes) {
                case .success(let decoded):
                    pending.append(decoded)
                    pendingOrigins.append((name, number))
                    pendingOrdinals.append(fileOrdinal)
                    if pending.count >= batchSize { try flush() }
                case .failure(let rejection):
                    reject(file: name, line: number, rejection, original: String(decoding: bytes, as: UTF8.self))
                }
            }
        }
    }

    /// Appends what is pending in one transaction.
    func flush() throws {
        defer { reportPendingRejections() }
        guard !pending.isEmpty else { return }
        let recordedAt = pinnedRecordedAt ?? Instant(microseconds: Int64(Date().timeIntervalSince1970 * 1_000_000))
        let outcomes = try log.append(pending, recordedAt: recordedAt)
        for (index, outcome) in outcomes.enumerated() {
            switch outcome {
            case .appended(let sequence):
                summary.appended += 1
                summary.lastSequence = sequence
            case .duplicate:
                summary.duplicates += 1
            case .rejected(let rejection):
                let origin = pendingOrigins[index]
                reject(file: origin.file, line: origin.line, rejection, original: pending[index].json, fileOrdinal: pendingOrdinals[index])
            }
        }
        pending.removeAll(keepingCapacity: true)
        pendingOrigins.removeAll(keepingCapacity: true)
        pendingOrdinals.removeAll(keepingCapacity: true)
        onCommit(summary)
    }

    private func reject(file: String, line: Int, _ rejection: Rejection, original: String, fileOrdinal: Int? = nil) {
        summary.rejected += 1
        let rejected = RejectedLine(file: file, line: line, rejection: rejection, original: original)
        pendingRejections.append((fileOrdinal ?? self.fileOrdinal, rejected))
    }

    private func reportPendingRejections() {
        let ordered = pendingRejections.sorted { ($0.fileOrdinal, $0.rejected.line) < ($1.fileOrdinal, $1.rejected.line) }
        for entry in ordered { onRejection(entry.rejected) }
        pendingRejections.removeAll()
    }
}
