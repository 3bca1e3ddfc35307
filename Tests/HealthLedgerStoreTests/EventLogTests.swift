import Foundation
import HealthLedgerCore
import HealthLedgerStore
import Testing

struct EventLogTests {
    @Test func appendingTheSameEventsAgainAppendsNothing() throws {
        let database = TemporaryDatabase()
        let log = try database.open()
        let events = [scan("e1"), scan("e2"), scan("e3")]
        #expect(try log.append(events, recordedAt: recorded) == [.appended(sequence: 1), .appended(sequence: 2), .appended(sequence: 3)])
        #expect(try log.append(events, recordedAt: recorded) == [.duplicate, .duplicate, .duplicate])
        #expect(try log.count == 3)
        // New events after duplicates in one batch: off the chain worked out ahead of the
        // transaction, hashed in it, and the chain still holds.
        #expect(try log.append([scan("e2"), scan("e4"), scan("e3"), scan("e5")], recordedAt: recorded)
            == [.duplicate, .appended(sequence: 4), .duplicate, .appended(sequence: 5)])
        #expect(try log.verify().isIntact)
    }

    /// A batch's rows are hashed a chunk of 1 024 at a time while the first are inserted: over
    /// three chunks, with a duplicate in the second that moves every later event off the rows
    /// worked out ahead, the chain is the one that appending the events a few at a time builds.
    @Test func aBatchChainedInChunksHashesAsEventsAppendedAFewAtATime() throws {
        let events = (0..<2_500).map { scan("e\($0)") }
        let inOneBatch = TemporaryDatabase()
        let outcomes = try inOneBatch.open().append(Array(events[..<1_500]) + [events[10]] + Array(events[1_500...]), recordedAt: recorded)
        #expect(outcomes[1_500] == .duplicate)
        #expect(outcomes.last == .appended(sequence: 2_500))
        let aFewAtATime = TemporaryDatabase()
        let log = try aFewAtATime.open()
        for start in stride(from: 0, to: events.count, by: 100) {
            _ = try log.append(Array(events[start..<start + 100]), recordedAt: recorded)
        }
        let chunked = try inOneBatch.open().verify(), expected = try log.verify()
        #expect(chunked.isIntact && expected.isIntact)
        #expect(chunked.eventCount == 2_500)
        #expect(chunked.headHash == expected.headHash)
    }

    @Test func duplicatesAreComparedAsParsedJSON() throws {
        let database = TemporaryDatabase()
        let log = try database.open()
        _ = try log.append([decoded(#"{"id":"e1","type":"carrier_scan","at":"2026-03-01T10:00:00Z","seller":"acme","order":"o1","n":1.0}"#)], recordedAt: recorded)
        let reordered = decoded(#"{ "n": 1.00, "order":"o1","seller":"acme","at":"2026-03-01T10:00:00Z","type":"carrier_scan","id":"e1" }"#)
        let integer = decoded(#"{"id":"e1","type":"carrier_scan","at":"2026-03-01T10:00:00Z","seller":"acme","order":"o1","n":1}"#)
        let outcomes = try log.append([reordered, integer], recordedAt: recorded)
        #expect(outcomes[0] == .duplicate)
        #expect(outcomes[1] == .rejected(AdmissionRules.conflict(id: integer.event.id)))
    }

    @Test func anExactDuplicateWithinOneBatchIsSkipped() throws {
        let database = TemporaryDatabase()
        let log = try database.open()
        #expect(try log.append([scan("e1"), scan("e1")], recordedAt: recorded) == [.appended(sequence: 1), .duplicate])
    }

    @Test func duplicateAndConflictChecksComeBeforeTheTwentyFourHourRule() throws {
        let database = TemporaryDatabase()
        let log = try database.open()
        let early = instant("2026-02-28T00:00:00Z")
        _ = try log.append([scan("e1")], recordedAt: recorded)
        let outcomes = try log.append([scan("e1"), scan("e1", extra: #","x":1"#), scan("e2")], recordedAt: early)
        #expect(outcomes[0] == .duplicate)
        guard case .rejected(let conflict) = outcomes[1], case .rejected(let tooEarly) = outcomes[2] else {
            Issue.record("expected two rejections, got \(outcomes)")
            return
        }
        #expect(conflict.reason == .conflictingDuplicateID)
        #expect(tooEarly.reason == .atAfterRecorded)
    }

    @Test func aSellersTimeZoneCannotChange() throws {
        let database = TemporaryDatabase()
        let log = try database.open()
        let outcomes = try log.append([
            configuration("c1", zone: "America/Los_Angeles"),
            configuration("c2", zone: "America/Los_Angeles", at: "2026-02-01T00:00:00Z"),
            configuration("c3", zone: nil, at: "2026-03-01T00:00:00Z"),
            configuration("c4", zone: "Europe/Berlin", at: "2025-12-01T00:00:00Z"),
            configuration("c5", zone: nil, seller: "other"),
            configuration("c6", zone: "UTC", at: "2026-02-01T00:00:00Z", seller: "other"),
        ], recordedAt: recorded)
        #expect(outcomes[0] == .appended(sequence: 1))
        #expect(outcomes[1] == .appended(sequence: 2))
        #expect(outcomes[2] != .appended(sequence: 3))
        if case .rejected(let rejection) = outcomes[2] { #expect(rejection.reason == .timeZoneChange) }
        if case .rejected(let rejection) = outcomes[3] { #expect(rejection.reason == .timeZoneChange) } else { Issue.record("c4 was not rejected") }
        #expect(outcomes[4] == .appended(sequence: 3))
        #expect(outcomes[5] == .appended(sequence: 4))
        // The established zone survives reopening.
        let reopened = try EventLog(path: log.path)
        let again = try reopened.append([configuration("c7", zone: "Asia/Tokyo", seller: "other")], recordedAt: recorded)
        guard case .rejected(let rejection) = again[0] else {
            Issue.record("a zone change after reopening was accepted")
            return
        }
        #expect(rejection.reason == .timeZoneChange)
    }

    @Test func theLogRefusesUpdatesAndDeletes() throws {
        let database = TemporaryDatabase()
        _ = try database.open().append([scan("e1")], recordedAt: recorded)
        for sql in ["UPDATE events SET json = '{}' WHERE seq = 1", "DELETE FROM events"] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
            process.arguments = ["-cmd", ".timeout 10000", database.path, sql]
            let error = Pipe()
            process.standardError = error
            try process.run()
            process.waitUntilExit()
            #expect(process.terminationStatus != 0, "\(sql) was allowed")
            #expect(String(decoding: error.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).contains("the event log is append-only"))
        }
        #expect(try database.open().verify().isIntact)
    }

    @Test func aUnitsStoryIsInValidTimeOrderThenByID() throws {
        let database = TemporaryDatabase()
        let log = try database.open()
        _ = try log.append([
            scan("b", at: "2026-03-02T00:00:00+01:00"),
            scan("a", at: "2026-03-01T23:00:00Z"),
            scan("c", at: "2026-03-01T09:00:00Z"),
            decoded(#"{"id":"m","type":"buyer_message","at":"2026-03-01T12:00:00Z","seller":"acme","thread":"t1","message":"m1","order":"o1"}"#),
            decoded(#"{"id":"r","type":"seller_reply","at":"2026-03-01T13:00:00Z","seller":"acme","thread":"t1"}"#),
            scan("x", seller: "someone-else"),
        ], recordedAt: recorded)
        #expect(try log.events(seller: "acme", unit: .order("o1")).map(\.id) == ["c", "m", "a", "b"])
        #expect(try log.events(seller: "acme", unit: .thread("t1")).map(\.id) == ["m", "r"])
        #expect(try log.events(seller: "acme", unit: nil).count == 5)
        #expect(try log.events(seller: "acme", unit: .order("o2")).isEmpty)
    }

    @Test func storedEventsKeepTheirLineAndRecordedTime() throws {
        let database = TemporaryDatabase()
        let log = try database.open()
        let line = #"{"id":"e1", "type":"carrier_scan","at":"2026-03-01T10:00:00-05:00","seller":"acme","order":"o1","note":"kept"}"#
        _ = try log.append([decoded(line)], recordedAt: recorded)
        let stored = try #require(log.events(seller: "acme", unit: .order("o1")).first)
        #expect(stored.json == line)
        #expect(stored.at == "2026-03-01T10:00:00-05:00")
        #expect(stored.recordedAt == recorded)
        #expect(stored.sequence == 1)
    }
}
