/// A report file read as a table: one header row, then one row a record. Rows keep the
/// physical line they start on, so that a row that cannot be converted is named by its line.
public struct DelimitedTable: Sendable {
    public struct Row: Sendable {
        public let line: Int
        public let fields: [String]
    }

    /// How fields are separated and quoted.
    public enum Dialect: Sendable {
        /// Amazon's flat files: tab-separated, never quoted (a `"` is part of the text).
        case tabSeparated
        /// RFC 4180: comma-separated, `"` quotes a field, `""` is a quote inside one.
        case commaSeparated
    }

    /// Header names as read, trimmed.
    public let header: [String]
    public let rows: [Row]

    /// Reads `bytes`: UTF-8 (with or without a byte-order mark), else ISO-8859-1, the encoding
    /// of Amazon's older and European downloads. CRLF and LF both end a line; blank lines are
    /// skipped.
    public init(bytes: [UInt8], dialect: Dialect) {
        var records = Self.records(in: Self.text(of: bytes), dialect: dialect)
        let first = records.isEmpty ? [] : records.removeFirst().fields
        header = first.map { $0.trimmingWhitespace }
        rows = records
    }

    static func text(of bytes: [UInt8]) -> String {
        let body = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(bytes.dropFirst(3)) : bytes
        if let text = String(validating: body, as: UTF8.self) { return text }
        return String(String.UnicodeScalarView(body.map { Unicode.Scalar($0) }))
    }

    private static func records(in text: String, dialect: Dialect) -> [Row] {
        var rows: [Row] = []
        var fields: [String] = []
        var field = String.UnicodeScalarView()
        var line = 1
        var recordLine = 1
        var quoted = false
        var fieldStarted = false
        var scalars = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil

        func endField() {
            fields.append(String(field))
            field = String.UnicodeScalarView()
            fieldStarted = false
        }
        func endRecord() {
            endField()
            if fields.count > 1 || !fields[0].trimmingWhitespace.isEmpty {
                rows.append(Row(line: recordLine, fields: fields))
            }
            fields = []
        }

        while let scalar = pending ?? scalars.next() {
            pending = nil
            if quoted {
                if scalar == "\"" {
                    let next = scalars.next()
                    if next == "\"" { field.append("\"") } else { quoted = false; pending = next }
                } else {
                    if scalar == "\n" { line += 1 }
                    field.append(scalar)
                }
                continue
            }
            switch scalar {
            case "\r":
                let next = scalars.next()
                if next != "\n" { pending = next }
                fallthrough
            case "\n":
                endRecord()
                line += 1
                recordLine = line
            case "\t" where dialect == .tabSeparated, "," where dialect == .commaSeparated:
                endField()
            case "\"" where dialect == .commaSeparated && !fieldStarted:
                quoted = true
                fieldStarted = true
            default:
                field.append(scalar)
                fieldStarted = true
            }
        }
        if !field.isEmpty || !fields.isEmpty { endRecord() }
        return rows
    }
}

extension String {
    var trimmingWhitespace: String {
        let scalars = unicodeScalars
        guard let start = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let end = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(scalars[start...end])
    }
}
