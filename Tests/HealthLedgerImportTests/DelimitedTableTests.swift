import HealthLedgerImport
import Testing

struct DelimitedTableTests {
    @Test func quotedCommaFieldsKeepCommasQuotesAndNewlinesAndTheirLine() {
        let text = "thread-id,subject\r\nT1,\"Broken, \"\"again\"\"\"\r\n\r\nT2,\"two\nlines\"\nT3,plain\n"
        let table = DelimitedTable(bytes: Array(text.utf8), dialect: .commaSeparated)
        #expect(table.header == ["thread-id", "subject"])
        #expect(table.rows.map(\.line) == [2, 4, 6])
        #expect(table.rows.map(\.fields) == [["T1", "Broken, \"again\""], ["T2", "two\nlines"], ["T3", "plain"]])
    }

    @Test func tabSeparatedFilesTakeQuotesLiterally() {
        let text = "sku\tproduct-name\nS1\tLamp, 12\" cord\n"
        let table = DelimitedTable(bytes: Array(text.utf8), dialect: .tabSeparated)
        #expect(table.rows.map(\.fields) == [["S1", "Lamp, 12\" cord"]])
    }

    @Test func latinOneAndAByteOrderMarkAreRead() {
        // "Größe" in ISO-8859-1: ö is 0xF6, ß is 0xDF.
        let latin1: [UInt8] = Array("Kommentare\n".utf8) + [0x47, 0x72, 0xF6, 0xDF, 0x65, 0x0A]
        #expect(DelimitedTable(bytes: latin1, dialect: .tabSeparated).rows.map(\.fields) == [["Größe"]])
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("order-id\n1\n".utf8)
        #expect(DelimitedTable(bytes: bom, dialect: .commaSeparated).header == ["order-id"])
    }
}
