import HealthLedgerCore
import Testing

struct DecoderTests {
    private func decode(_ line: String) -> Result<DecodedEvent, Rejection> { EventDecoder.decode(Array(line.utf8)) }

    @Test func aValidLineKeepsItsUnknownFieldsAndNamesItsUnit() throws {
        let decoded = try decode(#"{"id":"e1","type":"buyer_message","at":"2026-03-01T14:05:00+01:00","seller":"acme","thread":"t1","message":"m1","order":"o9","mood":"cross"}"#).get()
        #expect(decoded.event.type == .buyerMessage)
        #expect(decoded.event.at == Instant(rfc3339: "2026-03-01T13:05:00Z"))
        #expect(decoded.event.unit == .thread("t1"))
        #expect(decoded.event.string("mood") == "cross")
    }

    /// The story an event belongs to (the log's `unit` column): its own unit, or for feedback and
    /// claims, which are keyed by their own ids, the order they name; none for a configuration.
    @Test func eachKindOfEventNamesTheUnitWhoseStoryItBelongsTo() throws {
        let envelope = #""at":"2026-03-01T14:05:00Z","seller":"acme""#
        let stories: [(String, UnitReference?)] = [
            (#"{"id":"a",\#(envelope),"type":"order_shipped","order":"o1"}"#, .order("o1")),
            (#"{"id":"b",\#(envelope),"type":"feedback_posted","feedback":"f1","rating":1,"order":"o1"}"#, .order("o1")),
            (#"{"id":"c",\#(envelope),"type":"claim_filed","claim":"c1","kind":"a_to_z","order":"o1"}"#, .order("o1")),
            (#"{"id":"d",\#(envelope),"type":"return_requested","return":"r1","order":"o1"}"#, .return("r1")),
            (#"{"id":"e",\#(envelope),"type":"policy_violation","violation":"v1","kind":"listing"}"#, .violation("v1")),
            (#"{"id":"f",\#(envelope),"type":"seller_configured","time_zone":"UTC"}"#, nil),
        ]
        for (line, story) in stories {
            #expect(try decode(line).get().event.unit == story, "\(line)")
        }
    }

    @Test func aLineOfSeveralMegabytesIsRejectedByLength() {
        let line = #"{"id":"big","type":"carrier_scan","at":"2026-03-01T14:05:00Z","seller":"acme","order":"o1","pad":""# + String(repeating: "x", count: 3 << 20) + #""}"#
        guard case .failure(let rejection) = decode(line) else {
            Issue.record("a 3 MB line was accepted")
            return
        }
        #expect(rejection.reason == .badLength)
    }

    /// An id is 1 to 200 characters, however many bytes each takes.
    @Test(arguments: [("", false), ("x", true), (String(repeating: "x", count: 200), true), (String(repeating: "x", count: 201), false),
                      (String(repeating: "é", count: 200), true), (String(repeating: "é", count: 201), false),
                      (String(repeating: "𝄞", count: 60), true), (String(repeating: "𝄞", count: 201), false)])
    func anIdsLengthIsCountedInCharacters(_ id: String, isAccepted: Bool) {
        let result = decode(#"{"id":""# + id + #"","type":"carrier_scan","at":"2026-03-01T14:05:00Z","seller":"acme","order":"o1"}"#)
        switch result {
        case .success: #expect(isAccepted)
        case .failure(let rejection):
            #expect(!isAccepted)
            #expect(rejection.reason == .badLength)
        }
    }

    @Test func nestingPastTheLimitIsBadJSONNotACrash() {
        let line = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        guard case .failure(let rejection) = decode(line) else {
            Issue.record("deep nesting was accepted")
            return
        }
        #expect(rejection.reason == .badJSON)
    }

    @Test func rejectionsReadAsFieldReasonSentence() {
        guard case .failure(let rejection) = decode(#"{"id":"e1","type":"feedback_posted","at":"2026-03-01T14:05:00Z","seller":"acme","order":"o1","feedback":"f1","rating":9}"#) else {
            Issue.record("rating 9 was accepted")
            return
        }
        #expect(rejection.description == "rating: out_of_range: must be an integer from 1 to 5, got 9")
    }

    @Test func theTwentyFourHourRuleAcceptsExactlyTwentyFourHours() throws {
        let event = try decode(#"{"id":"e1","type":"carrier_scan","at":"2026-03-02T00:00:00Z","seller":"acme","order":"o1"}"#).get().event
        let recorded = Instant(rfc3339: "2026-03-01T00:00:00Z")!
        #expect(AdmissionRules.checkRecordedTime(at: event.at, recordedAt: recorded) == nil)
        let rejection = AdmissionRules.checkRecordedTime(at: event.at, recordedAt: Instant(microseconds: recorded.microseconds - 1))
        #expect(rejection?.reason == .atAfterRecorded)
    }

    @Test func aConfigurationWithoutTimeZoneStatesUTC() throws {
        let event = try decode(#"{"id":"e1","type":"seller_configured","at":"2026-03-02T00:00:00Z","seller":"acme"}"#).get().event
        #expect(event.configuredTimeZone == "UTC")
        #expect(AdmissionRules.checkTimeZone(seller: event.seller, stated: event.configuredTimeZone, established: "Europe/Berlin")?.reason == .timeZoneChange)
        #expect(AdmissionRules.checkTimeZone(seller: event.seller, stated: event.configuredTimeZone, established: "UTC") == nil)
        #expect(AdmissionRules.checkTimeZone(seller: event.seller, stated: event.configuredTimeZone, established: nil) == nil)
    }
}
