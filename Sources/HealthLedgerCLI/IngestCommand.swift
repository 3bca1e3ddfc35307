import ArgumentParser
import Foundation
import HealthLedgerCore
import HealthLedgerStore

struct IngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Append NDJSON contract events (files, gzip or not, or - for standard input) to the log.",
        discussion: "Exit status: 0 when every line was appended or a duplicate, 1 when some lines were rejected (the others are appended), 2 on usage or I/O error."
    )

    @OptionGroup var database: DatabaseOptions

    @Option(help: "Pin the recorded (transaction) time of every appended event, RFC 3339. Default: the clock at each commit.")
    var recordedAt: Instant?

    @Option(help: "Write every rejected line to this file, each after a '# FILE:LINE: field: reason' line.")
    var rejects: String?

    @Option(help: "terminal: a progress line on standard error when it is a terminal; json: one JSON line on standard output per committed transaction, the acknowledgement of every input line up to the one it names.")
    var progress: ProgressFormat = .terminal

    @Option(help: "Events per transaction (the first is an eighth of it when the first file is larger than that many 150-byte lines, so that writing starts early).")
    var transactionSize = EventLog.transactionSize

    @Option(help: "Take a seller's first known-at snapshot once it holds this many events; a smaller seller's known-at queries replay its events from the first.")
    var snapshotMinimum = EventLog.snapshotMinimumEvents

    @Argument(help: "NDJSON files, gzip or not; - or none reads standard input.")
    var files: [String] = []

    func validate() throws {
        guard transactionSize > 0 else { throw ValidationError("--transaction-size must be at least 1.") }
        guard snapshotMinimum > 0 else { throw ValidationError("--snapshot-minimum must be at least 1.") }
    }

    func run() throws {
        let log = try database.open()
        let rejectsFile = try rejects.map(RejectsFile.init(path:))
        let terminal = ProgressLine()
        let reports = FirstReports(beforeEach: terminal.clear)
        let ingestion = Ingestion(log: log, recordedAt: recordedAt, batchSize: transactionSize, snapshotMinimum: snapshotMinimum, onRejection: { rejected in
            reports.report(rejected.report)
            rejectsFile?.write(rejected)
        }, onCommit: progress == .json ? { Self.acknowledge($0, done: false) } : terminal.update)
        for file in files.isEmpty ? ["-"] : files { try ingestion.ingest(path: file) }
        let summary = try ingestion.finish()
        terminal.clear()
        reports.printRemainder("rejected lines" + (rejects.map { " (all in \($0))" } ?? ""))
        if progress == .json {
            Self.acknowledge(summary, done: true)
        } else {
            print("appended: \(summary.appended)  duplicates: \(summary.duplicates)  rejected: \(summary.rejected)")
        }
        if summary.rejected > 0 { throw ExitCode(1) }
    }

    /// One line, flushed at once: a script that sees it may count on every line it names.
    private static func acknowledge(_ summary: IngestSummary, done: Bool) {
        var members: [(key: String, value: JSONValue)] = [
            ("last_appended_sequence", .integer(summary.lastSequence)),
            ("appended", .integer(summary.appended)),
            ("duplicates", .integer(summary.duplicates)),
            ("rejected", .integer(summary.rejected)),
            ("lines_read", .integer(summary.linesRead)),
        ]
        if let through = summary.through {
            members.append(("through", .object(JSONObject([("file", .string(through.file)), ("line", .integer(through.line))]))))
        }
        members.append(("done", .bool(done)))
        FileHandle.standardOutput.write(Data((String(decoding: JSONValue.object(JSONObject(members)).canonicalBytes, as: UTF8.self) + "\n").utf8))
    }
}

enum ProgressFormat: String, ExpressibleByArgument, CaseIterable {
    case terminal, json
}

/// Prints the first reports of a run on standard error and counts them all, so that an input
/// of a million bad lines names the first few and the count of the rest.
final class FirstReports {
    static let shown = 20
    private(set) var count = 0
    private let beforeEach: () -> Void

    init(beforeEach: @escaping () -> Void = {}) { self.beforeEach = beforeEach }

    func report(_ line: String) {
        if count < Self.shown { beforeEach(); printError(line) }
        count += 1
    }

    /// `… N more WHAT`, when some were not printed.
    func printRemainder(_ what: String) {
        if count > Self.shown { printError("… \(count - Self.shown) more \(what)") }
    }
}

/// Rejected lines, ready for repair: strip the `# ` lines and ingest the file again.
final class RejectsFile {
    private let handle: FileHandle

    init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw InputError(description: "cannot write the rejects file \(path)")
        }
        self.handle = handle
    }

    func write(_ rejected: RejectedLine) {
        handle.write(Data("# \(rejected.report)\n\(rejected.original)\n".utf8))
    }
}

/// A progress line on standard error, only when it is a terminal.
final class ProgressLine {
    private let enabled = isatty(STDERR_FILENO) == 1
    private var visible = false

    func update(_ summary: IngestSummary) {
        show("\(summary.linesRead) lines read, \(summary.appended) appended, \(summary.rejected) rejected")
    }

    /// `done` of `total` as a bar.
    func update(done: Int, of total: Int, _ what: String) {
        let filled = total > 0 ? min(30, done * 30 / total) : 0
        show("[" + String(repeating: "#", count: filled) + String(repeating: ".", count: 30 - filled) + "] \(done) of \(total) \(what)")
    }

    private func show(_ text: String) {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\(text)\u{1B}[K".utf8))
        visible = true
    }

    func clear() {
        guard visible else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
        visible = false
    }
}
