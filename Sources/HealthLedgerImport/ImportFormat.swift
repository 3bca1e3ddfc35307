import HealthLedgerCore

/// One column of a report format, by its header name.
public struct Column: Sendable {
    public let name: String
    public let isRequired: Bool
    public let meaning: String

    static func required(_ name: String, _ meaning: String) -> Column { Column(name: name, isRequired: true, meaning: meaning) }
    static func optional(_ name: String, _ meaning: String) -> Column { Column(name: name, isRequired: false, meaning: meaning) }
}

/// A file format that `import` converts into contract events: its columns (mapped by header
/// name, so their order and any added columns do not matter) and what one row says.
public struct ImportFormat: Sendable {
    public let name: String
    public let summary: String
    public let dialect: DelimitedTable.Dialect
    public let columns: [Column]
    /// Amazon translates some headers per marketplace but keeps their order: when the known
    /// names are not all there, such a file is read by position.
    public let readsTranslatedHeaderByPosition: Bool
    let convert: @Sendable (inout RowConversion) throws(RowProblem) -> Void

    public var requiredColumns: [String] { columns.filter(\.isRequired).map(\.name) }

    public static func named(_ name: String) -> ImportFormat? { all.first { $0.name == name } }

    /// Header names compare without case, and with spaces and underscores read as hyphens:
    /// `Order ID`, `order_id` and `order-id` are one column.
    static func normalized(_ header: String) -> String {
        var result = ""
        var pendingHyphen = false
        for character in header.trimmingWhitespace.lowercased() {
            if character == " " || character == "_" || character == "-" {
                pendingHyphen = !result.isEmpty
            } else {
                if pendingHyphen { result.append("-"); pendingHyphen = false }
                result.append(character)
            }
        }
        return result
    }

    /// Which column each header position holds (nil: a column this format does not read), or
    /// the required columns the header lacks.
    public func columnNames(forHeader header: [String]) -> Result<[String?], MissingColumns> {
        let known = Set(columns.map(\.name))
        let names = header.map { Self.normalized($0) }
        let missing = requiredColumns.filter { !names.contains($0) }
        if missing.isEmpty { return .success(names.map { known.contains($0) ? $0 : nil }) }
        if readsTranslatedHeaderByPosition, header.count >= columns.count, names.allSatisfy({ !known.contains($0) }) {
            return .success(header.indices.map { $0 < columns.count ? columns[$0].name : nil })
        }
        return .failure(MissingColumns(format: name, missing: missing))
    }
}

public struct MissingColumns: Error, Equatable, CustomStringConvertible {
    public let format: String
    public let missing: [String]

    public var description: String {
        "the header lacks the column\(missing.count == 1 ? "" : "s") \(missing.map { "'\($0)'" }.joined(separator: ", ")) that \(format) needs"
    }
}

/// A row that could not be converted: which column, and why. Nothing of the row is kept.
public struct RowProblem: Error, Equatable, CustomStringConvertible {
    public let column: String
    public let reason: String

    public var description: String { "\(column): \(reason)" }
}

/// One row being converted: its cells by column name, and the events it makes.
struct RowConversion {
    let format: String
    let seller: String
    let times: ReportTimeReader
    private let cells: [String: String]
    private(set) var events: [(id: String, json: String)] = []

    init(format: String, seller: String, times: ReportTimeReader, cells: [String: String]) {
        self.format = format
        self.seller = seller
        self.times = times
        self.cells = cells
    }

    /// The cell's trimmed text; nil when the column is absent or the cell empty.
    func text(_ column: String) -> String? {
        guard let value = cells[column]?.trimmingWhitespace, !value.isEmpty else { return nil }
        return value
    }

    func required(_ column: String) throws(RowProblem) -> String {
        guard let value = text(column) else { throw RowProblem(column: column, reason: "is empty") }
        return value
    }

    func time(_ column: String) throws(RowProblem) -> ReportTime {
        let value = try required(column)
        guard let time = times.read(value) else { throw RowProblem(column: column, reason: "'\(value)' is not a date or timestamp this reader knows") }
        return time
    }

    func optionalTime(_ column: String) throws(RowProblem) -> ReportTime? {
        try text(column) == nil ? nil : time(column)
    }

    func integer(_ column: String, in range: ClosedRange<Int>) throws(RowProblem) -> Int {
        let value = try required(column)
        let whole = value.hasSuffix(".0") ? String(value.dropLast(2)) : value
        guard let number = Int(whole), range.contains(number) else {
            throw RowProblem(column: column, reason: "'\(value)' is not a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }

    /// The value a cell's text stands for, compared without case, spaces, hyphens or underscores.
    func choice<Value>(_ column: String, _ choices: [String: Value], expecting: String) throws(RowProblem) -> Value {
        let value = try required(column)
        let key = String(value.lowercased().filter { $0.isLetter || $0.isNumber })
        guard let chosen = choices[key] else { throw RowProblem(column: column, reason: "'\(value)' is not \(expecting)") }
        return chosen
    }

    /// Adds an event. Its id is derived from the format, the seller, the type and the row's
    /// own key, so that the same row read again makes the same event (a duplicate) and a changed
    /// row makes a conflict, never a second event.
    mutating func emit(_ type: String, key: String, at time: ReportTime, _ fields: [(String, JSONValue?)]) {
        let id = "\(format):\(seller):\(type):\(key)"
        var members: [(key: String, value: JSONValue)] = [("id", .string(id)), ("type", .string(type)), ("at", .string(time.rfc3339)), ("seller", .string(seller))]
        for (name, value) in fields { if let value { members.append((name, value)) } }
        events.append((id, String(decoding: JSONValue.object(JSONObject(members)).canonicalBytes, as: UTF8.self)))
    }
}
