import Foundation
import HealthLedgerCore
import HealthLedgerStore
import Testing

/// A database in a fresh temporary folder, removed at the end of the test.
final class TemporaryDatabase {
    let folder: URL
    var path: String { folder.appendingPathComponent("log.sqlite").path }

    init() {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("healthledger-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: folder) }

    func open() throws -> EventLog { try EventLog(path: path) }

    /// Runs SQL with the sqlite3 command-line shell, as someone tampering with the file would.
    /// It waits for the locks of a checkpoint that an open `EventLog` runs after its commits.
    func sqlite3(_ sql: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        process.arguments = ["-cmd", ".timeout 10000", path, sql]
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "sqlite3 failed on: \(sql)")
    }
}

func decoded(_ line: String) -> DecodedEvent {
    try! EventDecoder.decode(Array(line.utf8)).get()
}

func instant(_ text: String) -> Instant { Instant(rfc3339: text)! }

/// A carrier scan of order `o1` with the given id and time.
func scan(_ id: String, at: String = "2026-03-01T10:00:00Z", seller: String = "acme", extra: String = "") -> DecodedEvent {
    decoded(#"{"id":"\#(id)","type":"carrier_scan","at":"\#(at)","seller":"\#(seller)","order":"o1"\#(extra)}"#)
}

func configuration(_ id: String, zone: String?, at: String = "2026-01-01T00:00:00Z", seller: String = "acme") -> DecodedEvent {
    let zoneField = zone.map { #","time_zone":"\#($0)""# } ?? ""
    return decoded(#"{"id":"\#(id)","type":"seller_configured","at":"\#(at)","seller":"\#(seller)"\#(zoneField)}"#)
}

let recorded = instant("2026-04-01T00:00:00Z")
