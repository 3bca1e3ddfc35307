import Foundation
import HealthLedgerCore

/// A contract event converted from a report row, as one NDJSON line.
public struct ImportedEvent: Equatable, Sendable {
    public let file: String
    public let line: Int
    public let id: String
    public let json: String
}

/// A row that was not converted, with where it stands.
public struct RejectedRow: Equatable, Sendable, CustomStringConvertible {
    public let file: String
    public let line: Int
    public let problem: RowProblem

    /// `FILE:LINE: column: reason`.
    public var description: String { "\(file):\(line): \(problem)" }
}

/// Converts report files of one seller into contract events. A row that several files (or
/// rows) hold alike becomes one event; the same event id with other content is a changed row,
/// reported with the line that first said it, and the first one is kept.
public struct Importer {
    public let seller: String
    public let times: ReportTimeReader
    private var firstSeen: [String: ImportedEvent] = [:]

    public init(seller: String, times: ReportTimeReader) {
        self.seller = seller
        self.times = times
    }

    /// The format whose required columns the header holds (the most specific, when several do).
    public static func detect(header: [String]) -> ImportFormat? {
        let names = Set(header.map(ImportFormat.normalized))
        return ImportFormat.all
            .filter { $0.requiredColumns.allSatisfy(names.contains) }
            .max { $0.requiredColumns.count < $1.requiredColumns.count }
    }

    public mutating func convert(_ table: DelimitedTable, as format: ImportFormat, file: String) throws(MissingColumns) -> (events: [ImportedEvent], rejected: [RejectedRow]) {
        let columns = try format.columnNames(forHeader: table.header).get()
        var events: [ImportedEvent] = []
        var rejected: [RejectedRow] = []
        for row in table.rows {
            var cells: [String: String] = [:]
            for (name, value) in zip(columns, row.fields) { if let name { cells[name] = value } }
            var conversion = RowConversion(format: format.name, seller: seller, times: times, cells: cells)
            do {
                try format.convert(&conversion)
            } catch {
                rejected.append(RejectedRow(file: file, line: row.line, problem: error))
                continue
            }
            for (id, json) in conversion.events {
                let event = ImportedEvent(file: file, line: row.line, id: id, json: json)
                guard let first = firstSeen[id] else {
                    firstSeen[id] = event
                    events.append(event)
                    continue
                }
                if first.json != json {
                    rejected.append(RejectedRow(file: file, line: row.line, problem: RowProblem(
                        column: "row", reason: "changes the event \(id) that \(first.file):\(first.line) gave; the first is kept")))
                }
            }
        }
        return (events, rejected)
    }
}
