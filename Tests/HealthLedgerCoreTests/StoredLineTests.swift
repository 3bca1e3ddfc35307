import Foundation
import Synchronization
import HealthLedgerCore
import HealthLedgerSimulation
import Testing

/// A replay folds each stored line in place (`StoredLine`, `ProjectionReplay.Part.add(storedLine:)`)
/// and leaves to the full decoder only the lines it does not read plainly: for every valid
/// line, both give the same units' events.
struct StoredLineTests {
    /// The line folded into a replay in place, or nil when it is left to the decoder; and the
    /// decoder's event folded.
    static func readings(_ line: [UInt8]) throws -> (inPlace: ProjectionReplay?, decoded: (event: Event, replay: ProjectionReplay)) {
        let event = try EventDecoder.decode(line).get().event
        var decoded = ProjectionReplay()
        decoded.add(event)
        var inPlace = ProjectionReplay()
        let isRead = line.withUnsafeBufferPointer { bytes in inPlace.add { $0.add(storedLine: bytes) } }
        return (isRead ? inPlace : nil, (event, decoded))
    }

    static func expectSame(_ inPlace: ProjectionReplay, _ decoded: (event: Event, replay: ProjectionReplay), _ line: [UInt8]) {
        let text = String(decoding: line, as: UTF8.self)
        #expect(inPlace.sellers == [decoded.event.seller], "\(text)")
        #expect(inPlace.eventCount == 1, "\(text)")
        let units = Dictionary(uniqueKeysWithValues: inPlace.histories(of: decoded.event.seller).map { ($0.unit, $0.events) })
        #expect(units == Dictionary(uniqueKeysWithValues: decoded.replay.histories(of: decoded.event.seller).map { ($0.unit, $0.events) }), "\(text)")
    }

    /// Generated events of every type, and every valid line of the validation corpus.
    static func validLines() throws -> [[UInt8]] {
        var generator = EventGenerator(.init(sellers: 3, days: 60, ordersPerDay: 20, seed: 3))
        var lines: [[UInt8]] = []
        generator.run { lines.append(Array($0.utf8)) }
        let corpus = try zip(Repository.lines("schemas/corpus/lines.ndjson"), Repository.lines("schemas/corpus/expected.txt"))
        return lines + corpus.filter { String(decoding: $0.1, as: UTF8.self) == "ok" }.map(\.0)
    }

    /// Strings are scanned eight bytes at a time: a closing quote or a backslash at any offset of
    /// a word must still be found.
    @Test func idsOfEveryLengthAreReadWholeAndAnEscapeAnywhereGoesToTheDecoder() throws {
        for length in 1...24 {
            let order = String((0..<length).map { Character(UnicodeScalar(UInt8(ascii: "a") + UInt8($0 % 26))) })
            let plain = Array(#"{"id":"e-\#(order)","type":"order_delivered","at":"2026-03-01T10:00:00Z","seller":"s","order":"\#(order)"}"#.utf8)
            let (inPlace, decoded) = try Self.readings(plain)
            try #require(inPlace != nil, "length \(length)")
            Self.expectSame(inPlace!, decoded, plain)
            #expect(inPlace!.histories(of: "s").map(\.unit) == [.order(order)])
            for escape in 0..<length {
                var escaped = order
                escaped.insert(contentsOf: #"\u0041"#, at: escaped.index(escaped.startIndex, offsetBy: escape))
                let line = Array(#"{"id":"e","type":"order_delivered","at":"2026-03-01T10:00:00Z","seller":"s","order":"\#(escaped)"}"#.utf8)
                #expect(try Self.readings(line).inPlace == nil, "escape at \(escape) of \(length)")
            }
        }
    }

    @Test func everyPlainLineIsReadInPlaceAsTheDecoderReadsIt() throws {
        let lines = try Self.validLines()
        var readInPlace = 0
        var types = Set<EventType>()
        for line in lines {
            let (inPlace, decoded) = try Self.readings(line)
            guard let inPlace else {
                #expect(decoded.event.type == .sellerConfigured || line.contains(UInt8(ascii: "\\")) || line.contains(UInt8(ascii: "[")) || line.dropFirst().contains(UInt8(ascii: "{")),
                        "a plain line left to the decoder: \(String(decoding: line, as: UTF8.self))")
                continue
            }
            Self.expectSame(inPlace, decoded, line)
            readInPlace += 1
            types.insert(decoded.event.type)
        }
        #expect(readInPlace > lines.count * 9 / 10)
        #expect(types == Set(EventType.allCases).subtracting([.sellerConfigured]))
    }

    /// White space anywhere, members in any order, numbers as `2.0` and `1e0`, nulls, an empty
    /// tracking, a dozen unknown members: read in place as decoded. An escape, a nested value
    /// or thirty unknown members: left to the decoder.
    @Test func unusualButPlainLinesAreReadInPlaceAndTheOthersLeftToTheDecoder() throws {
        let plain = [
            #" { "seller" : "s" , "order":"o1","type":"order_placed","fulfillment":"merchant","handling_days":2.0,"at":"2026-03-01T10:00:00+05:30","id":"e1","ship_by":null } "#,
            "{\"id\":\"e2\",\t\"type\":\"feedback_posted\",\"at\":\"2026-03-02T10:00:00Z\",\"seller\":\"s\",\"order\":\"o1\",\"feedback\":\"f1\",\"rating\":1e0}\r",
            #"{"id":"e3","type":"order_shipped","at":"2026-03-02T10:00:00.123456789Z","seller":"s","order":"o1","tracking":""}"#,
            #"{"id":"e4","type":"seller_reply","at":"2026-03-02T10:00:00Z","seller":"s","thread":"t1","handle_seconds":12.5,"note":true}"#,
            #"{"id":"e5","type":"survey_answered","at":"2026-03-02T10:00:00Z","seller":"s","order":"o1","solved":false,"extra":-0.5}"#,
            #"{"id":"e10","type":"order_delivered","at":"2026-03-01T10:00:00Z","seller":"s","order":"o1",\#(Self.unknownMembers(12))}"#,
        ]
        for line in plain.map({ Array($0.utf8) }) {
            let (inPlace, decoded) = try Self.readings(line)
            let read = try #require(inPlace, "\(String(decoding: line, as: UTF8.self))")
            Self.expectSame(read, decoded, line)
        }
        let others = [
            #"{"id":"e6","type":"order_placed","at":"2026-03-01T10:00:00Z","seller":"s","order":"o\u0031","fulfillment":"merchant"}"#,
            #"{"id":"e7","type":"carrier_scan","at":"2026-03-01T10:00:00Z","seller":"s","order":"o1","scan":{"city":"Lyon"}}"#,
            #"{"id":"e8","type":"carrier_scan","at":"2026-03-01T10:00:00Z","seller":"s","order":"o1","codes":[1,2]}"#,
            #"{"id":"e9","type":"seller_configured","at":"2026-03-01T10:00:00Z","seller":"s"}"#,
            #"{"id":"e11","type":"order_delivered","at":"2026-03-01T10:00:00Z","seller":"s","order":"o1",\#(Self.unknownMembers(30))}"#,
        ]
        for line in others.map({ Array($0.utf8) }) {
            #expect(try Self.readings(line).inPlace == nil, "\(String(decoding: line, as: UTF8.self))")
        }
    }

    /// `"x1":1,"x2":2,…`: members no metric reads.
    static func unknownMembers(_ count: Int) -> String { (1...count).map { #""x\#($0)":\#($0)"# }.joined(separator: ",") }

    /// A replay folds a line it reads in place straight from its bytes: the units, their events
    /// and the counters are those of the decoder's reading of every line.
    @Test func linesFoldedInPlaceGiveWhatTheirDecodedEventsGive() throws {
        let lines = try Self.validLines()
        let pieces = Mutex([lines])
        let foldedInPlace = Mutex(0)
        var inPlace = ProjectionReplay()
        inPlace.add(concurrently: { pieces.withLock { $0.popLast() } }) { lines, part in
            for line in lines {
                if line.withUnsafeBufferPointer({ part.add(storedLine: $0) }) {
                    foldedInPlace.withLock { $0 += 1 }
                } else {
                    part.add(ReplayedEvent(try! EventDecoder.decode(line).get().event))
                }
            }
        }
        var decoded = ProjectionReplay()
        decoded.add(try lines.map { ReplayedEvent(try EventDecoder.decode($0).get().event) })

        #expect(foldedInPlace.withLock { $0 } > lines.count * 9 / 10)
        #expect(inPlace.eventCount == lines.count)
        #expect(inPlace.sellers == decoded.sellers)
        for seller in decoded.sellers {
            let histories = Dictionary(uniqueKeysWithValues: inPlace.histories(of: seller).map { ($0.unit, $0.events) })
            #expect(histories == Dictionary(uniqueKeysWithValues: decoded.histories(of: seller).map { ($0.unit, $0.events) }), "\(seller)")
            #expect(inPlace.deltas(of: seller).byKey == decoded.deltas(of: seller).byKey, "\(seller)")
        }
    }
}
