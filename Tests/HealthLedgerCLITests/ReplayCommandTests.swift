import Foundation
import HealthLedgerSimulation
import Testing

/// Section 2 of the contract: `--as-of` knows everything known now, `--known-at` only what
/// was recorded by then; `replay --verify` and `audit` prove the projection equals a replay.
struct ReplayCommandTests {
    /// One FBM order placed 03-01 (recorded 03-02); a 1-star feedback posted 03-05 but
    /// recorded only on 03-20, each ingested by its own process, which takes snapshots however
    /// small the seller.
    static func folderWithALateFeedback() throws -> TemporaryFolder {
        let folder = TemporaryFolder()
        try folder.write("placed.ndjson", #"{"id":"p1","type":"order_placed","at":"2026-03-01T10:00:00Z","seller":"acme","order":"o1","fulfillment":"merchant"}"#)
        try folder.write("late.ndjson", #"{"id":"f1","type":"feedback_posted","at":"2026-03-05T10:00:00Z","seller":"acme","order":"o1","feedback":"fb1","rating":1}"#)
        for (file, recordedAt) in [("placed.ndjson", "2026-03-02T00:00:00Z"), ("late.ndjson", "2026-03-20T00:00:00Z")] {
            try #require(try HealthLedgerProcess.run(["ingest", file, "--recorded-at", recordedAt, "--snapshot-minimum", "1"], in: folder.url).status == 0)
        }
        return folder
    }

    /// `seller|recorded_us|event_count` of each snapshot, by recorded time.
    static func snapshots(in folder: TemporaryFolder) throws -> String {
        try query("SELECT seller, recorded_us, event_count FROM replay_snapshots ORDER BY recorded_us", in: folder)
    }

    /// What the sqlite3 shell prints for `sql` on the folder's database.
    static func query(_ sql: String, in folder: TemporaryFolder) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        process.arguments = [folder.path("healthledger.sqlite"), sql]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        process.waitUntilExit()
        return String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    }

    /// The late feedback: as of 03-10, knowing everything: ODR 1 of 1. What the
    /// dashboard showed on 03-10 (known at its end): 0 of 1. Known at 03-21: 1 of 1 again.
    @Test func aLateFeedbackChangesThePastAsOfButNotWhatWasKnownBeforeItsRecording() throws {
        let folder = try Self.folderWithALateFeedback()
        func odr(_ extra: [String]) throws -> String {
            let result = try HealthLedgerProcess.run(["metrics", "--seller", "acme", "--format", "csv"] + extra, in: folder.url)
            #expect(result.status == 0, "\(result.stderr)")
            return try #require(result.stdout.split(separator: "\n").first { $0.contains(",order_defect_rate,") }.map(String.init))
        }
        #expect(try odr(["--as-of", "2026-03-10"]).contains(",1,1,"))
        #expect(try odr(["--as-of", "2026-03-10", "--known-at", "2026-03-10T23:59:59Z"]).contains(",0,1,"))
        #expect(try odr(["--known-at", "2026-03-10T23:59:59Z"]).hasPrefix("acme,2026-03-10,"))
        #expect(try odr(["--as-of", "2026-03-10", "--known-at", "2026-03-21T00:00:00Z"]).contains(",1,1,"))
        let json = try HealthLedgerProcess.run(["metrics", "--seller", "acme", "--as-of", "2026-03-10", "--known-at", "2026-03-10T23:59:59Z", "--format", "json"], in: folder.url)
        #expect(json.stdout.contains(#""known_at": "2026-03-10T23:59:59Z""#))
    }

    /// The same late feedback with snapshots: ingest takes one of the log as recorded by 03-02
    /// and one by 03-20, and the schedule keeps the latter alone (the last day, and March's last);
    /// known at 03-10 replays from the first event, known at 03-21 from the snapshot. Rebuilt by
    /// `replay --snapshots`, they are the same and give the same answers.
    @Test func snapshotsAreTakenByIngestAndRebuiltByReplay() throws {
        let folder = try Self.folderWithALateFeedback()
        func snapshots() throws -> String { try Self.snapshots(in: folder) }
        #expect(try snapshots() == "acme|1773964800000000|2\n")
        func odr(knownAt: String) throws -> String {
            let result = try HealthLedgerProcess.run(["metrics", "--seller", "acme", "--as-of", "2026-03-10", "--known-at", knownAt, "--format", "csv"], in: folder.url)
            return try #require(result.stdout.split(separator: "\n").first { $0.contains(",order_defect_rate,") }.map(String.init))
        }
        let before = try ["2026-03-10T23:59:59Z", "2026-03-21T00:00:00Z"].map(odr)
        let rebuilt = try HealthLedgerProcess.run(["replay", "--snapshots"], in: folder.url)
        #expect(rebuilt.status == 0)
        #expect(rebuilt.stdout.hasPrefix("rebuilt the snapshots of 1 sellers from 2 events in "))
        #expect(try snapshots() == "acme|1773964800000000|2\n")
        #expect(try ["2026-03-10T23:59:59Z", "2026-03-21T00:00:00Z"].map(odr) == before)
        #expect(before[0].contains(",0,1,") && before[1].contains(",1,1,"))
    }

    /// A seller's first snapshot waits until it holds `--snapshot-minimum` events (100 000 by
    /// default): the order alone takes none, with the feedback (two events) a minimum of two
    /// takes one; known-at answers are the same either way.
    @Test func aSellerSmallerThanTheSnapshotMinimumGetsNone() throws {
        let folder = TemporaryFolder()
        try folder.write("placed.ndjson", #"{"id":"p1","type":"order_placed","at":"2026-03-01T10:00:00Z","seller":"acme","order":"o1","fulfillment":"merchant"}"#)
        try folder.write("late.ndjson", #"{"id":"f1","type":"feedback_posted","at":"2026-03-05T10:00:00Z","seller":"acme","order":"o1","feedback":"fb1","rating":1}"#)
        try #require(try HealthLedgerProcess.run(["ingest", "placed.ndjson", "--recorded-at", "2026-03-02T00:00:00Z"], in: folder.url).status == 0)
        #expect(try Self.snapshots(in: folder) == "")
        try #require(try HealthLedgerProcess.run(["ingest", "late.ndjson", "--recorded-at", "2026-03-20T00:00:00Z", "--snapshot-minimum", "2"], in: folder.url).status == 0)
        #expect(try Self.snapshots(in: folder) == "acme|1773964800000000|2\n")
        let knownAt = try HealthLedgerProcess.run(["metrics", "--seller", "acme", "--as-of", "2026-03-10", "--known-at", "2026-03-10T23:59:59Z", "--format", "csv"], in: folder.url)
        #expect(knownAt.stdout.split(separator: "\n").contains { $0.contains(",order_defect_rate,") && $0.contains(",0,1,") })
    }

    /// The sample, ingested in uneven batches, equals its replay; a changed counter is named
    /// by `replay --verify` and by `audit`, and `replay --rebuild` repairs it.
    @Test func theProjectionEqualsItsReplayAndATamperedCounterIsNamed() throws {
        let folder = TemporaryFolder()
        let sample = Repository.root.appendingPathComponent("replay/sample/events.ndjson.gz").path
        // The sample's lines shuffled, in eight batches cut at random, each ingested by its own
        // process; its seven bad lines make the batches that hold them exit with 1.
        var random = SplitMix64(seed: 14)
        let all = try String(contentsOf: URL(fileURLWithPath: try decompress(sample, in: folder)), encoding: .utf8)
            .split(separator: "\n").shuffled(using: &random)
        let cuts = [0] + (0..<7).map { _ in random.below(all.count) }.sorted() + [all.count]
        for (start, end) in zip(cuts, cuts.dropFirst()) where start < end {
            let batch = all[start..<end].joined(separator: "\n") + "\n"
            let ingest = try HealthLedgerProcess.run(["ingest", "-", "--recorded-at", "2026-05-01T00:00:00Z"], input: Data(batch.utf8), in: folder.url)
            #expect(ingest.status == 0 || ingest.status == 1, "\(ingest.stderr)")
        }
        let verify = try HealthLedgerProcess.run(["replay", "--verify"], in: folder.url)
        #expect(verify.status == 0, "\(verify.stderr)")
        #expect(verify.stdout.contains("replayed 18875 events"))
        #expect(try HealthLedgerProcess.run(["audit"], in: folder.url).status == 0)

        let tamper = Process()
        tamper.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        tamper.arguments = [folder.path("healthledger.sqlite"),
                            "UPDATE metric_deltas SET numerator = numerator + 1 WHERE seller = 'seller-1' AND metric = 'order_defect_rate' AND day = (SELECT min(day) FROM metric_deltas WHERE seller = 'seller-1' AND metric = 'order_defect_rate')"]
        try tamper.run()
        tamper.waitUntilExit()
        #expect(tamper.terminationStatus == 0)
        let failed = try HealthLedgerProcess.run(["replay", "--verify"], in: folder.url)
        #expect(failed.status == 1)
        #expect(failed.stderr.contains("seller seller-1, order_defect_rate as of"))
        let audit = try HealthLedgerProcess.run(["audit"], in: folder.url)
        #expect(audit.status == 1)
        #expect(audit.stderr.contains("order_defect_rate"))
        #expect(try HealthLedgerProcess.run(["replay", "--rebuild"], in: folder.url).status == 0)
        #expect(try HealthLedgerProcess.run(["replay", "--verify"], in: folder.url).status == 0)
    }

    private func decompress(_ path: String, in folder: TemporaryFolder) throws -> String {
        let output = folder.path("sample.ndjson")
        let gunzip = Process()
        gunzip.executableURL = URL(fileURLWithPath: "/bin/sh")
        gunzip.arguments = ["-c", "gunzip -c '\(path)' > '\(output)'"]
        try gunzip.run()
        gunzip.waitUntilExit()
        return output
    }
}

extension ReplayCommandTests {
    /// The golden audit's three batches (replay/audits/late-arrivals), ingested with their
    /// recorded times: a trend known at one time applies it to every day, and `replay
    /// --known-at` folds only what was recorded by then.
    @Test func aTrendAndAReplayKnownAtATimeSeeOnlyWhatWasRecordedByThen() throws {
        let folder = TemporaryFolder()
        let audit = Repository.root.appendingPathComponent("replay/audits/late-arrivals")
        for (file, recorded) in [("batch-1.ndjson", "2026-03-02T00:00:00Z"), ("batch-2.ndjson", "2026-03-05T00:00:00Z"), ("batch-3.ndjson", "2026-03-10T00:00:00Z")] {
            #expect(try HealthLedgerProcess.run(["ingest", audit.appendingPathComponent(file).path, "--recorded-at", recorded], in: folder.url).status == 0)
        }
        func odr(_ extra: [String]) throws -> [String] {
            let trend = try HealthLedgerProcess.run(["trend", "--seller", "late", "--metric", "order_defect_rate", "--from", "2026-03-03", "--to", "2026-03-06", "--format", "csv"] + extra, in: folder.url)
            #expect(trend.status == 0, "\(trend.stderr)")
            return trend.stdout.split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false)[3...4].joined(separator: "/") }
        }
        // Knowing everything: o3 counts from 03-02, f1 (03-03, removed 03-04) only on 03-03.
        #expect(try odr([]) == ["1/3", "0/3", "0/3", "0/3"])
        // As the dashboard knew on 03-06 (batches 1 and 2): no o3, f1 never removed.
        #expect(try odr(["--known-at", "2026-03-06T00:00:00Z"]) == ["1/2", "1/2", "1/2", "1/2"])
        let replay = try HealthLedgerProcess.run(["replay", "--known-at", "2026-03-06T00:00:00Z"], in: folder.url)
        #expect(replay.status == 0)
        // The replay rebuilds the daily counters that a log of batches 1 and 2 alone projects.
        let knownThen = TemporaryFolder()
        for (file, recorded) in [("batch-1.ndjson", "2026-03-02T00:00:00Z"), ("batch-2.ndjson", "2026-03-05T00:00:00Z")] {
            #expect(try HealthLedgerProcess.run(["ingest", audit.appendingPathComponent(file).path, "--recorded-at", recorded], in: knownThen.url).status == 0)
        }
        let projected = try Self.query("SELECT count(*) FROM metric_deltas WHERE numerator != 0 OR denominator != 0", in: knownThen)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(Int(projected) ?? 0 > 0)
        #expect(replay.stdout.hasPrefix("replayed 6 events") && replay.stdout.hasSuffix(", sellers: 1, daily counters: \(projected)\n"), "\(replay.stdout)")
        let one = try HealthLedgerProcess.run(["replay", "--seller", "nobody"], in: folder.url)
        #expect(one.stdout.hasPrefix("replayed 0 events"))
    }
}
