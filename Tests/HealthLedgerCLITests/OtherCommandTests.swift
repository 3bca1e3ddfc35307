import Foundation
import Testing

struct OtherCommandTests {
    @Test func eventsTellAnOrdersStoryInValidTimeOrder() throws {
        let folder = TemporaryFolder()
        try folder.write("story.ndjson", """
            {"id":"shipped","type":"order_shipped","at":"2026-03-02T09:00:00Z","seller":"acme","order":"o1","tracking":"1Z"}
            {"id":"placed","type":"order_placed","at":"2026-03-01T09:00:00-05:00","seller":"acme","order":"o1","fulfillment":"merchant"}
            {"id":"other","type":"order_placed","at":"2026-03-01T09:00:00Z","seller":"acme","order":"o2","fulfillment":"merchant"}
            """)
        _ = try HealthLedgerProcess.run(["ingest", "story.ndjson", "--recorded-at", "2026-03-05T00:00:00Z"], in: folder.url)
        let result = try HealthLedgerProcess.run(["events", "--seller", "acme", "--order", "o1"], in: folder.url)
        #expect(result.status == 0)
        let rows = result.stdout.split(separator: "\n").map(String.init)
        #expect(rows.count == 3)
        #expect(rows[1].contains("2026-03-01T09:00:00-05:00") && rows[1].contains("2026-03-05T00:00:00.000000Z") && rows[1].contains("order_placed"))
        #expect(rows[2].contains("order_shipped"))
    }

    @Test func auditPrintsTheHeadAndFailsOnAnotherExpectedHead() throws {
        let folder = TemporaryFolder()
        try folder.write("one.ndjson", #"{"id":"e1","type":"carrier_scan","at":"2026-03-01T10:00:00Z","seller":"acme","order":"o1"}"#)
        _ = try HealthLedgerProcess.run(["ingest", "one.ndjson", "--recorded-at", "2026-03-05T00:00:00Z"], in: folder.url)
        let audit = try HealthLedgerProcess.run(["audit"], in: folder.url)
        #expect(audit.status == 0)
        let head = try #require(audit.stdout.split(separator: "\n").first { $0.hasPrefix("head: ") }?.dropFirst(6))
        #expect(try HealthLedgerProcess.run(["audit", "--expect-head", String(head)], in: folder.url).status == 0)
        let wrong = try HealthLedgerProcess.run(["audit", "--expect-head", String(repeating: "0", count: 64)], in: folder.url)
        #expect(wrong.status == 1)
    }

    @Test func theGeneratorIsDeterministicAndItsOutputIngestsCleanly() throws {
        let folder = TemporaryFolder()
        let arguments = ["generate", "--sellers", "2", "--days", "20", "--orders-per-day", "10", "--seed", "42"]
        let first = try HealthLedgerProcess.run(arguments, in: folder.url)
        let second = try HealthLedgerProcess.run(arguments, in: folder.url)
        #expect(first.status == 0)
        #expect(first.stdout == second.stdout)
        let other = try HealthLedgerProcess.run(arguments.dropLast() + ["43"], in: folder.url)
        #expect(other.stdout != first.stdout)
        let lines = first.stdout.split(separator: "\n")
        #expect(lines.count > 400)
        let ingest = try HealthLedgerProcess.run(["ingest", "-", "--recorded-at", "2026-06-01T00:00:00Z"], input: Data(first.stdout.utf8), in: folder.url)
        #expect(ingest.status == 0)
        // The generator writes exact duplicates and nothing that could be refused.
        let repeated = lines.count - Set(lines).count
        #expect(ingest.stdout == "appended: \(lines.count - repeated)  duplicates: \(repeated)  rejected: 0\n")
    }
}

struct SampleTests {
    /// The bundled sample holds seven bad lines, one of each kind a seller's files produce.
    @Test func theSampleIngestsWithItsSevenBadLinesReported() throws {
        let folder = TemporaryFolder()
        let sample = Repository.root.appendingPathComponent("replay/sample/events.ndjson.gz").path
        let result = try HealthLedgerProcess.run(["ingest", sample, "--recorded-at", "2026-05-01T00:00:00Z"], in: folder.url)
        #expect(result.status == 1)
        #expect(result.stdout == "appended: 18875  duplicates: 59  rejected: 7\n")
        let reasons = result.stderr.split(separator: "\n").map { $0.split(separator: ":")[2...3].joined(separator: ":") }
        #expect(reasons == [" rating: out_of_range", " -: bad_json", " at: bad_timestamp", " type: bad_enum", " kind: missing_field",
                            " time_zone: time_zone_change", " id: conflicting_duplicate_id"])
        let again = try HealthLedgerProcess.run(["ingest", sample, "--recorded-at", "2026-05-02T00:00:00Z"], in: folder.url)
        #expect(again.stdout == "appended: 0  duplicates: 18934  rejected: 7\n")
        #expect(try HealthLedgerProcess.run(["audit"], in: folder.url).status == 0)
    }
}

struct AuditReportTests {
    /// A changed byte in event 2 (after dropping the trigger that refuses updates) is named in
    /// the JSON report with its sequence number, beside the missing trigger.
    @Test func theJSONReportNamesEachProblemAndItsSequenceNumber() throws {
        let folder = TemporaryFolder()
        try folder.write("three.ndjson", (1...3).map { #"{"id":"e\#($0)","type":"carrier_scan","at":"2026-03-0\#($0)T10:00:00Z","seller":"acme","order":"o1"}"# }.joined(separator: "\n"))
        _ = try HealthLedgerProcess.run(["ingest", "three.ndjson", "--recorded-at", "2026-03-05T00:00:00Z"], in: folder.url)
        let intact = try HealthLedgerProcess.run(["audit", "--format", "json"], in: folder.url)
        #expect(intact.status == 0)
        let clean = try #require(try JSONSerialization.jsonObject(with: Data(intact.stdout.utf8)) as? [String: Any])
        #expect(clean["passed"] as? Bool == true && clean["events"] as? Int == 3)
        #expect((clean["log_problems"] as? [Any])?.isEmpty == true && (clean["projection_differences"] as? [Any])?.isEmpty == true)

        let tamper = Process()
        tamper.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        tamper.arguments = [folder.path("healthledger.sqlite"), "DROP TRIGGER events_refuse_update; UPDATE events SET json = replace(json, 'o1', 'o9') WHERE seq = 2"]
        try tamper.run()
        tamper.waitUntilExit()
        let audit = try HealthLedgerProcess.run(["audit", "--format", "json", "--expect-head", clean["head"] as! String], in: folder.url)
        #expect(audit.status == 1)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(audit.stdout.utf8)) as? [String: Any])
        #expect(report["passed"] as? Bool == false)
        #expect(report["head_matches"] as? Bool == true, "the head's own hash is as stored; the chain breaks at event 2")
        let problems = try #require(report["log_problems"] as? [[String: Any]])
        #expect(problems.contains { $0["kind"] as? String == "hash_mismatch" && $0["sequence"] as? Int == 2 })
        #expect(problems.contains { $0["kind"] as? String == "missing_trigger" && $0["sequence"] == nil })
    }
}
