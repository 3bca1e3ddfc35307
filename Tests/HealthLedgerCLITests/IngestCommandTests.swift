import Foundation
import Testing

struct IngestCommandTests {
    static let recordedAt = ["--recorded-at", "2026-04-01T00:00:00Z"]

    static func scan(_ id: Int, order: String = "o1") -> String {
        #"{"id":"e\#(id)","type":"carrier_scan","at":"2026-03-01T10:00:00Z","seller":"acme","order":"\#(order)"}"#
    }

    @Test func aCleanFileExitsZeroAndASecondIngestAppendsNothing() throws {
        let folder = TemporaryFolder()
        try folder.write("events.ndjson", (1...5).map { Self.scan($0) }.joined(separator: "\n") + "\n")
        let first = try HealthLedgerProcess.run(["ingest", "events.ndjson"] + Self.recordedAt, in: folder.url)
        #expect(first.status == 0)
        #expect(first.stdout == "appended: 5  duplicates: 0  rejected: 0\n")
        #expect(FileManager.default.fileExists(atPath: folder.path("healthledger.sqlite")))
        let second = try HealthLedgerProcess.run(["ingest", "events.ndjson"] + Self.recordedAt, in: folder.url)
        #expect(second.stdout == "appended: 0  duplicates: 5  rejected: 0\n")
    }

    /// 40 events of about 100 bytes (4 KB) in transactions of 16: a file larger than 16 lines of
    /// 150 bytes, so the first transaction is an eighth (2 events), then 16, 16, 6. In
    /// transactions of 64 it is smaller than 64 such lines: one transaction.
    @Test func theFirstTransactionOfALargeFileIsAnEighthOfTheOthers() throws {
        let folder = TemporaryFolder()
        try folder.write("events.ndjson", (1...40).map { Self.scan($0) }.joined(separator: "\n") + "\n")
        func acknowledged(transactionSize: Int, db: String) throws -> [Int?] {
            let result = try HealthLedgerProcess.run(["ingest", "--db", db, "--progress", "json", "--transaction-size", "\(transactionSize)", "events.ndjson"] + Self.recordedAt,
                                                     in: folder.url)
            #expect(result.status == 0)
            return result.stdout.split(separator: "\n").compactMap { line in
                (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
            }.filter { $0["done"] as? Bool == false }.map { $0["appended"] as? Int }
        }
        #expect(try acknowledged(transactionSize: 16, db: "small.sqlite") == [2, 18, 34, 40])
        #expect(try acknowledged(transactionSize: 64, db: "large.sqlite") == [40])
    }

    @Test func rejectedLinesAreNamedAndWrittenForRepairWhileTheRestIsAppended() throws {
        let folder = TemporaryFolder()
        let lines = [Self.scan(1), "{oops", "", Self.scan(2).replacingOccurrences(of: "\"order\":\"o1\"", with: "\"order\":7"), Self.scan(3)]
        try folder.write("in.ndjson", lines.joined(separator: "\r\n"))
        let result = try HealthLedgerProcess.run(["ingest", "--rejects", "rejects.txt", "in.ndjson"] + Self.recordedAt, in: folder.url)
        #expect(result.status == 1)
        #expect(result.stdout == "appended: 2  duplicates: 0  rejected: 2\n")
        let reported = result.stderr.split(separator: "\n").map(String.init)
        #expect(reported.count == 2)
        #expect(reported.first?.hasPrefix("in.ndjson:2: -: bad_json: ") == true)
        #expect(reported.last == "in.ndjson:4: order: wrong_type: must be a string, got a number")
        let rejects = try String(contentsOfFile: folder.path("rejects.txt"), encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(rejects == ["# " + reported[0], "{oops", "# " + reported[1], lines[3]])
    }

    @Test func onlyTheFirstTwentyRejectionsGoToStandardError() throws {
        let folder = TemporaryFolder()
        try folder.write("bad.ndjson", String(repeating: "[]\n", count: 25))
        let result = try HealthLedgerProcess.run(["ingest", "--rejects", "all.txt", "bad.ndjson"] + Self.recordedAt, in: folder.url)
        #expect(result.status == 1)
        let reported = result.stderr.split(separator: "\n")
        #expect(reported.count == 21)
        #expect(reported.last == "… 5 more rejected lines (all in all.txt)")
        #expect(try String(contentsOfFile: folder.path("all.txt"), encoding: .utf8).split(separator: "\n").count == 50)
    }

    @Test func standardInputGzipAndTheDatabaseEnvironmentVariableWork() throws {
        let folder = TemporaryFolder()
        try folder.write("a.ndjson", Self.scan(1) + "\n" + Self.scan(2) + "\n")
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        gzip.arguments = ["gzip", "-k", folder.path("a.ndjson")]
        try gzip.run()
        gzip.waitUntilExit()
        let environment = ["HEALTHLEDGER_DB": folder.path("env.sqlite")]
        let fromGzip = try HealthLedgerProcess.run(["ingest", "a.ndjson.gz"] + Self.recordedAt, in: folder.url, environment: environment)
        #expect(fromGzip.stdout == "appended: 2  duplicates: 0  rejected: 0\n")
        let fromStdin = try HealthLedgerProcess.run(["ingest", "-"] + Self.recordedAt, input: Data((Self.scan(2) + "\n" + Self.scan(3)).utf8),
                                                    in: folder.url, environment: environment)
        #expect(fromStdin.stdout == "appended: 1  duplicates: 1  rejected: 0\n")
        #expect(FileManager.default.fileExists(atPath: folder.path("env.sqlite")))
        #expect(!FileManager.default.fileExists(atPath: folder.path("healthledger.sqlite")))
    }

    /// A line of several megabytes is rejected without being held whole, and the lines
    /// around it still count.
    @Test func aHugeLineIsRejectedAndItsNeighboursAppended() throws {
        let folder = TemporaryFolder()
        let huge = #"{"id":"big","type":"carrier_scan","at":"2026-03-01T10:00:00Z","seller":"acme","order":"o1","pad":""# + String(repeating: "x", count: 5 << 20) + #""}"#
        try folder.write("huge.ndjson", [Self.scan(1), huge, Self.scan(2)].joined(separator: "\n"))
        let result = try HealthLedgerProcess.run(["ingest", "huge.ndjson"] + Self.recordedAt, in: folder.url)
        #expect(result.stdout == "appended: 2  duplicates: 0  rejected: 1\n")
        #expect(result.stderr.hasPrefix("huge.ndjson:2: -: bad_length: "))
    }

    @Test func aMillionLinesWithOneBadLineInTheMiddleAppendEveryValidLine() throws {
        let folder = TemporaryFolder()
        var text = ""
        text.reserveCapacity(110 << 20)
        for id in 1...1_000_000 {
            text += id == 500_000 ? #"{"id":"e500000","type":"carrier_scan"}"# : Self.scan(id, order: "o\(id % 1000)")
            text += "\n"
        }
        try folder.write("million.ndjson", text)
        let result = try HealthLedgerProcess.run(["ingest", "million.ndjson"] + Self.recordedAt, in: folder.url)
        #expect(result.status == 1)
        #expect(result.stdout == "appended: 999999  duplicates: 0  rejected: 1\n")
        #expect(result.stderr == "million.ndjson:500000: at: missing_field: required field is missing\n")
    }

    @Test func usageAndIOErrorsExitTwoWithOneSentence() throws {
        let folder = TemporaryFolder()
        let missingFile = try HealthLedgerProcess.run(["ingest", "nope.ndjson"], in: folder.url)
        #expect(missingFile.status == 2)
        #expect(missingFile.stderr == "healthledger: cannot open nope.ndjson: No such file or directory\n")
        let badOption = try HealthLedgerProcess.run(["ingest", "--recorded-at", "yesterday"], in: folder.url)
        #expect(badOption.status == 2)
        let unopenable = try HealthLedgerProcess.run(["ingest", "--db", "/nonexistent/x.sqlite", "-"], input: Data(), in: folder.url)
        #expect(unopenable.status == 2)
        #expect(unopenable.stderr == "healthledger: Cannot open the database /nonexistent/x.sqlite: unable to open database file.\n")
        try folder.write("junk.sqlite", String(repeating: "not a database ", count: 1000))
        let junk = try HealthLedgerProcess.run(["ingest", "--db", "junk.sqlite", "-"], input: Data(), in: folder.url)
        #expect(junk.status == 2)
        #expect(junk.stderr == "healthledger: junk.sqlite is not a HealthLedger database, or it is corrupt.\n")
    }
}

struct FullDiskTests {
    /// A file-size limit (`ulimit -f`) stands in for a full disk: the ingest that meets it
    /// stops with one sentence and exit 2; what it acknowledged before stays, the log stays
    /// intact, and the same input ingested again later completes it.
    @Test func aFullDiskStopsWithOneSentenceAndLosesNothingAcknowledged() throws {
        let folder = TemporaryFolder()
        let generated = try HealthLedgerProcess.run(["generate", "--sellers", "2", "--days", "30", "--orders-per-day", "40", "--seed", "8"], in: folder.url)
        try folder.write("input.ndjson", generated.stdout)
        let limited = try HealthLedgerProcess.run(["ingest", "--recorded-at", "2026-06-01T00:00:00Z", "--progress", "json", "--transaction-size", "300", "input.ndjson"],
                                                  in: folder.url, limits: "ulimit -f 2000")
        #expect(limited.status == 2)
        #expect(limited.stderr == "healthledger: Writing the database healthledger.sqlite failed (a full disk, or a file-size limit); nothing after the last committed batch was appended.\n")
        let acknowledged = limited.stdout.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
        }.last?["appended"] as? Int
        let appendedBefore = try #require(acknowledged)
        #expect(appendedBefore > 0)
        let audit = try HealthLedgerProcess.run(["audit"], in: folder.url)
        #expect(audit.status == 0)
        let stored = try #require(audit.stdout.split(separator: "\n").first { $0.hasPrefix("events: ") }.flatMap { Int($0.dropFirst(8)) })
        #expect(stored >= appendedBefore)
        let resumed = try HealthLedgerProcess.run(["ingest", "--recorded-at", "2026-06-01T00:00:00Z", "input.ndjson"], in: folder.url)
        #expect(resumed.status == 0)
        #expect(try HealthLedgerProcess.run(["replay", "--verify"], in: folder.url).status == 0)
    }
}
