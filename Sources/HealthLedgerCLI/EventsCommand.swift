import ArgumentParser
import HealthLedgerCore
import HealthLedgerStore

struct EventsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "What happened: the events of one seller, order, thread or return, in valid-time order."
    )

    @OptionGroup var database: DatabaseOptions

    @Option(help: "The seller id.")
    var seller: String

    @Option(help: "Only this order (and the messages, returns and violations that name it).")
    var order: String?

    @Option(help: "Only this message thread.")
    var thread: String?

    @Option(name: .customLong("return"), help: "Only this return.")
    var returnID: String?

    func validate() throws {
        if [order, thread, returnID].compactMap({ $0 }).count > 1 {
            throw ValidationError("Give at most one of --order, --thread and --return.")
        }
    }

    func run() throws {
        let unit: UnitReference? = order.map { .order($0) } ?? thread.map { .thread($0) } ?? returnID.map { .return($0) }
        let events = try database.open(readOnly: true).events(seller: seller, unit: unit)
        guard !events.isEmpty else {
            print("No events for that seller\(unit == nil ? "" : " and unit").")
            return
        }
        let rows = events.map { [String($0.sequence), $0.at, $0.recordedAt.rfc3339, $0.type, $0.json] }
        print(TextTable(header: ["seq", "at", "recorded", "type", "event"], rows: rows).rendered)
    }
}

/// Left-aligned columns, the last one unpadded.
struct TextTable {
    let header: [String]
    let rows: [[String]]

    var rendered: String {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}
