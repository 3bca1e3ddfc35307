import Foundation
import Testing

/// An independent implementation of two red-line metrics — ODR and late shipment, written in
/// SQL straight from the contract and run by DuckDB over the raw events
/// (`ops/peer/duckdb_series.py`) — must give `trend`'s numbers on every day, for every seller of
/// the sample (three time zones, one with DST).
struct PeerSeriesTests {
    @Test func duckDBReadsTheSameDailySeriesFromTheRawEvents() throws {
        var numerators: Int64 = 0
        for seller in ["seller-1", "seller-2", "seller-3"] {
            numerators += try compare(seller: seller)
        }
        #expect(numerators > 0, "the series count some defects and late shipments")
    }

    /// The sum of the numerators compared.
    private func compare(seller: String) throws -> Int64 {
        let folder = TrendCommandTests.sampleFolder
        let export = Process()
        export.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        export.arguments = ["python3", "-c", "import sqlite3,sys; [print(r[0]) for r in sqlite3.connect(sys.argv[1]).execute('select json from events where seller = ? order by seq', (sys.argv[2],))]",
                            folder.path("healthledger.sqlite"), seller]
        export.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: try folder.write("\(seller).ndjson", "")))
        try export.run()
        export.waitUntilExit()
        let peer = Process()
        let output = Pipe()
        peer.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        peer.arguments = ["python3", Repository.root.appendingPathComponent("ops/peer/duckdb_series.py").path, folder.path("\(seller).ndjson"), seller, "2026-01-10", "2026-04-30"]
        peer.standardOutput = output
        peer.standardError = FileHandle.nullDevice
        try peer.run()
        let duckdb = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        peer.waitUntilExit()
        try #require(peer.terminationStatus == 0, "ops/peer/duckdb_series.py failed (is duckdb installed? ops/install-deps installs it)")
        let trend = try HealthLedgerProcess.run(["trend", "--seller", seller, "--metric", "order_defect_rate,late_shipment_rate_10d,late_shipment_rate_30d",
                                                 "--from", "2026-01-10", "--to", "2026-04-30", "--format", "csv"], in: folder.url)
        let ours = trend.stdout.split(separator: "\n").dropFirst().map { $0.split(separator: ",").dropFirst().prefix(4).joined(separator: ",") }.sorted()
        let theirs = duckdb.split(separator: "\n").dropFirst().map(String.init).sorted()
        #expect(ours.count == 3 * 111)
        #expect(ours == theirs, "\(seller)")
        return theirs.reduce(0) { $0 + (Int64($1.split(separator: ",")[2]) ?? 0) }
    }
}
