import HealthLedgerCore
import Testing

struct JSONTests {
    private func canonical(_ text: String) throws -> String {
        String(decoding: try JSONParser.parse(Array(text.utf8)).canonicalBytes, as: UTF8.self)
    }

    @Test func keyOrderAndWhitespaceDoNotChangeContent() throws {
        #expect(try canonical(#"{ "b" : [1, {"d":null,"c":true}], "a":"x" }"#) == #"{"a":"x","b":[1,{"c":true,"d":null}]}"#)
    }

    /// Keys that tie on their first eight bytes, that are prefixes of others, that hold a NUL
    /// or a letter beyond ASCII: ordered by the code points of the whole key.
    @Test func membersAreOrderedByTheirWholeKeys() throws {
        let text = #"{"tracking_number":1,"z":2,"tracking":3,"a\u0000":4,"é":5,"abcdefghA":6,"":7,"trackinG":8,"abcdefgh\u0000":9,"a":10,"tracking_id":11,"abcdefgh":12}"#
        #expect(try canonical(text) == #"{"":7,"a":10,"a\u0000":4,"abcdefgh":12,"abcdefgh\u0000":9,"abcdefghA":6,"trackinG":8,"tracking":3,"tracking_id":11,"tracking_number":1,"z":2,"é":5}"#)
    }

    @Test func integersFractionsAndBooleansStayDistinct() throws {
        #expect(try canonical("1") == "1")
        #expect(try canonical("1.0") == "1.0")
        #expect(try canonical("1.00") == "1.0")
        #expect(try canonical("true") == "true")
        #expect(try canonical("1e2") == "100.0")
    }

    @Test func escapesAreNormalised() throws {
        #expect(try canonical(#""\u0041\/\n\u00e9""#) == "\"A/\\u000aé\"")
    }

    @Test func numbersKnowWhetherTheyAreIntegers() throws {
        #expect(JSONNumber(lexeme: "2.0").integerValue == 2)
        #expect(JSONNumber(lexeme: "2e0").integerValue == 2)
        #expect(JSONNumber(lexeme: "4.5").integerValue == nil)
        #expect(JSONNumber(lexeme: "-0").integerValue == 0)
    }

    @Test(arguments: [#"{"a":1,"a":2}"#, "[1,]", "01", "1.", ".5", "-", "NaN", "\"\\x\"", "\"\\ud800\"", "1e999", "{\"a\" 1}", "[1] [2]", "tru"])
    func invalidJSONIsRefused(_ text: String) {
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(Array(text.utf8)) }
    }

    @Test func invalidUTF8IsRefused() {
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse([0x22, 0xC3, 0x28, 0x22]) }
    }
}
