import Foundation
import HealthLedgerCore
import HealthLedgerStore
import Testing

/// Each test changes the file behind the log's back with the sqlite3 shell, and the
/// verification names what changed.
struct TamperingTests {
    private func logOfFiveEvents() throws -> TemporaryDatabase {
        let database = TemporaryDatabase()
        _ = try database.open().append((1...5).map { scan("e\($0)") }, recordedAt: recorded)
        return database
    }

    /// A replay reads the log on one thread and folds it on every core: a line that no longer
    /// decodes stops it with an error naming why, however many batches are still to come, and
    /// an intact log of the same size replays whole.
    @Test func aReplayOfManyBatchesStopsAtALineThatNoLongerDecodes() throws {
        let database = TemporaryDatabase()
        let events = (1...70_000).map { scan("e\($0)", at: "2026-03-01T10:00:00Z") }
        _ = try database.open().append(events, recordedAt: recorded)
        #expect(try database.open().replay().eventCount == 70_000)
        try database.sqlite3("""
            DROP TRIGGER events_refuse_update;
            UPDATE events SET json = '{"id": "e5", oops' WHERE seq = 5;
            """)
        let error = #expect(throws: StoreError.self) { _ = try database.open().replay() }
        #expect(error?.description.contains("a stored event no longer decodes") == true)
    }

    @Test func anIntactLogVerifiesWithAStableHeadHash() throws {
        let database = try logOfFiveEvents()
        let first = try database.open().verify()
        #expect(first.isIntact)
        #expect(first.eventCount == 5)
        #expect(first.headHash.count == 64)
        _ = try database.open().append([scan("e6")], recordedAt: recorded)
        #expect(try database.open().verify().headHash != first.headHash)
    }

    @Test func oneFlippedByteIsFound() throws {
        let database = try logOfFiveEvents()
        // "o1" becomes "o2" in the stored line of event 3 only.
        try database.sqlite3("""
            DROP TRIGGER events_refuse_update;
            UPDATE events SET json = replace(json, '"o1"', '"o2"') WHERE seq = 3;
            CREATE TRIGGER events_refuse_update BEFORE UPDATE ON events BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
            """)
        #expect(try database.open().verify().problems == [.hashMismatch(sequence: 3)])
    }

    @Test func aChangedRecordedTimeIsFound() throws {
        let database = try logOfFiveEvents()
        try database.sqlite3("""
            DROP TRIGGER events_refuse_update;
            UPDATE events SET recorded_us = recorded_us + 1 WHERE seq = 2;
            CREATE TRIGGER events_refuse_update BEFORE UPDATE ON events BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
            """)
        #expect(try database.open().verify().problems == [.hashMismatch(sequence: 2)])
    }

    /// Events 2 and 3 swap places: each still carries its own hash, chained from the event
    /// that was before it, so both places fail, and so does event 4, chained from event 3.
    @Test func twoReorderedRowsAreFound() throws {
        let database = try logOfFiveEvents()
        try database.sqlite3("""
            DROP TRIGGER events_refuse_update;
            UPDATE events SET seq = 100 WHERE seq = 2;
            UPDATE events SET seq = 2 WHERE seq = 3;
            UPDATE events SET seq = 3 WHERE seq = 100;
            CREATE TRIGGER events_refuse_update BEFORE UPDATE ON events BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
            """)
        #expect(try database.open().verify().problems == [.hashMismatch(sequence: 2), .hashMismatch(sequence: 3), .hashMismatch(sequence: 4)])
    }

    @Test func aDeletedRowAndTheDroppedTriggerAreFound() throws {
        let database = try logOfFiveEvents()
        try database.sqlite3("DROP TRIGGER events_refuse_delete; DELETE FROM events WHERE seq = 4;")
        let problems = try database.open().verify().problems
        #expect(problems.contains(.missingTrigger("events_refuse_delete")))
        #expect(problems.contains(.sequenceGap(expected: 4, found: 5)))
        #expect(problems.contains(.hashMismatch(sequence: 5)))
    }
}
