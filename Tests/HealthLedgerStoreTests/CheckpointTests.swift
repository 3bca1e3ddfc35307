import Foundation
import HealthLedgerCore
import HealthLedgerSimulation
@testable import HealthLedgerStore
import Testing

/// Checkpoints run beside the appends; SQLite starts the write-ahead log over only when a
/// transaction begins after a checkpoint has copied all of it.
struct CheckpointTests {
    /// 60 appends of 100 generated events, the log bounded at 64 frames: once a commit leaves
    /// it longer, the next append waits for the checkpoint and starts it over. Its file, which
    /// SQLite reuses from the start and never shrinks, stays within the bound and the frames of
    /// one transaction (a 100-event one writes a few dozen); the log holds every event.
    @Test func appendsKeepTheWriteAheadLogNearItsBound() throws {
        var lines: [String] = []
        var generator = EventGenerator(.init(sellers: 2, days: 60, ordersPerDay: 20, seed: 5, duplicateFraction: 0))
        generator.run { line in if lines.count < 6_000 { lines.append(line) } }
        let events = try lines.map { try EventDecoder.decode(Array($0.utf8)).get() }
        let database = TemporaryDatabase()
        let log = try EventLog(path: database.path, readOnly: false, checkpointFrameLimit: 64)
        var appended = 0
        for start in stride(from: 0, to: events.count, by: 100) {
            let outcomes = try log.append(Array(events[start..<min(start + 100, events.count)]), recordedAt: instant("2026-06-01T00:00:00Z"))
            appended += outcomes.filter { if case .appended = $0 { true } else { false } }.count
        }
        let walBytes = try #require(try FileManager.default.attributesOfItem(atPath: database.path + "-wal")[.size] as? Int)
        let frameBytes = 4096 + 24
        #expect(walBytes <= 32 + (64 + 192) * frameBytes, "the log grew to \(walBytes / frameBytes) frames")
        #expect(appended == events.count)
        #expect(try log.count == Int64(events.count))
    }
}
