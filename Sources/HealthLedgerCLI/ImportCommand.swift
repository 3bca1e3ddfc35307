import ArgumentParser
import Foundation
import HealthLedgerCore
import HealthLedgerImport
import HealthLedgerStore

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Convert report files (Amazon's, or generic CSV exports) into contract events: NDJSON on standard output, or straight into the log.",
        discussion: """
            Formats: \(ImportFormat.all.map(\.name).joined(separator: ", ")), or auto (each file's format from its header). \
            Their columns are in schemas/import-formats.md. A row that cannot be converted is reported as FILE:LINE: column: reason \
            and the rest is converted. Exit status: 0 when every row was converted (and, with --ingest, appended or a duplicate), \
            1 when some were not, 2 on a usage or I/O error (a missing required column among them).
            """
    )

    @Argument(help: "The format of the files, or auto.")
    var format: String

    @Option(help: "The seller id the events are for. Default: the log's only seller.")
    var seller: String?

    @Option(help: "The IANA time zone of times without an offset (dates, local times). Default: the seller's, with --ingest, else UTC.")
    var timeZone: String?

    @Option(help: "The marketplace (US, DE, JP, …): the order of day and month in dates with slashes or dots, as in its feedback report. Default: the seller's, with --ingest, else US.")
    var marketplace: String?

    @Flag(help: "Append the events to the log instead of writing NDJSON.")
    var ingest = false

    @OptionGroup var database: DatabaseOptions

    @Option(help: "With --ingest: pin the recorded time, RFC 3339. Default: the clock at each commit.")
    var recordedAt: Instant?

    @Argument(help: "The report files.")
    var files: [String]

    func validate() throws {
        guard format == "auto" || ImportFormat.named(format) != nil else {
            throw ValidationError("Unknown format \(format); the formats are: \(ImportFormat.all.map(\.name).joined(separator: ", ")), auto.")
        }
        if let timeZone, !TimeZoneDatabase.identifiers.contains(timeZone) { throw ValidationError("--time-zone \(timeZone) is not an IANA time zone.") }
        if let marketplace, DateOrder(marketplace: marketplace) == nil { throw ValidationError("--marketplace \(marketplace) is not a marketplace whose date format is known.") }
        if files.isEmpty { throw ValidationError("Name at least one report file.") }
    }

    func run() throws {
        // Every header is checked before anything is converted: a file that cannot be read as its
        // format stops the import with nothing written.
        let tables = try files.map { file in try readTable(file) }
        let log = try ingest ? database.open() : nil
        let seller = try self.seller ?? onlySeller(of: log ?? database.open(readOnly: true))
        let settings = try log?.settings(of: seller)
        let zoneName = timeZone ?? settings?.timeZoneName ?? "UTC"
        let dateOrder = (marketplace ?? settings?.marketplace).flatMap(DateOrder.init(marketplace:)) ?? .monthDayYear
        var importer = Importer(seller: seller, times: ReportTimeReader(timeZone: TimeZone(identifier: zoneName)!, dateOrder: dateOrder))
        var converted: [(file: String, events: [ImportedEvent])] = []
        let reports = FirstReports()
        var rejectedRows = 0
        for (file, format, table) in tables {
            let result: (events: [ImportedEvent], rejected: [RejectedRow])
            do { result = try importer.convert(table, as: format, file: file) } catch { throw InputError(description: "\(file): \(error)") }
            result.rejected.forEach { reports.report($0.description) }
            rejectedRows += result.rejected.count
            converted.append((file, result.events))
        }
        defer { reports.printRemainder("rows not converted or rejected") }

        if let log {
            let ingestion = Ingestion(log: log, recordedAt: recordedAt, onRejection: { reports.report($0.report) })
            for (file, events) in converted { try ingestion.ingest(lines: events.map { ($0.line, Array($0.json.utf8)) }, from: file) }
            let summary = try ingestion.finish()
            print("rows not converted: \(rejectedRows)  appended: \(summary.appended)  duplicates: \(summary.duplicates)  rejected: \(summary.rejected)")
            if rejectedRows + summary.rejected > 0 { throw ExitCode(1) }
        } else {
            var output = ""
            for (_, events) in converted { for event in events { output += event.json + "\n" } }
            FileHandle.standardOutput.write(Data(output.utf8))
            if rejectedRows > 0 { throw ExitCode(1) }
        }
    }

    /// Reports name no seller: without --seller, the events are for the log's only one.
    private func onlySeller(of log: EventLog) throws -> String {
        let sellers = try log.sellers()
        guard sellers.count == 1 else {
            throw InputError(description: "name the seller with --seller: the log has \(sellers.isEmpty ? "no seller yet" : "\(sellers.count) sellers")")
        }
        return sellers[0]
    }

    private func readTable(_ file: String) throws -> (String, ImportFormat, DelimitedTable) {
        guard let data = FileManager.default.contents(atPath: file) else { throw InputError(description: "cannot read \(file)") }
        let bytes = [UInt8](data)
        if let format = ImportFormat.named(self.format) {
            let table = DelimitedTable(bytes: bytes, dialect: format.dialect)
            if case .failure(let missing) = format.columnNames(forHeader: table.header) { throw InputError(description: "\(file): \(missing)") }
            return (file, format, table)
        }
        for dialect in [DelimitedTable.Dialect.tabSeparated, .commaSeparated] {
            let table = DelimitedTable(bytes: bytes, dialect: dialect)
            if let format = Importer.detect(header: table.header), format.dialect == dialect { return (file, format, table) }
        }
        throw InputError(description: "\(file): its header is that of none of the formats; name the format instead of auto")
    }
}
