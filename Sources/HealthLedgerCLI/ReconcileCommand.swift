import ArgumentParser
import Foundation
import HealthLedgerCore
import HealthLedgerImport

struct ReconcileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconcile",
        abstract: "Amazon's own numbers (a GET_V2_SELLER_PERFORMANCE_REPORT JSON file) beside HealthLedger's, each difference with its likely cause.",
        discussion: "Each Amazon figure is compared with the same metric as of the last day of Amazon's reporting range. Exit status 0 whether or not they agree; 2 on a usage or I/O error."
    )

    @OptionGroup var database: DatabaseOptions

    @Option(help: "The seller id.")
    var seller: String

    @Option(help: "The marketplace of the report to compare (Amazon's id, like ATVPDKIKX0DER); needed when the report has several.")
    var marketplaceID: String?

    @Option(help: "table or json.")
    var format: ReportFormat = .table

    @Argument(help: "Amazon's performance report, JSON.")
    var report: String

    enum ReportFormat: String, ExpressibleByArgument, CaseIterable { case table, json }

    func run() throws {
        guard let data = FileManager.default.contents(atPath: report) else { throw InputError(description: "cannot read \(report)") }
        let amazon: PerformanceReport
        do { amazon = try PerformanceReport.parse([UInt8](data), marketplaceID: marketplaceID) } catch { throw InputError(description: "\(report): \(error)") }
        let log = try database.open(readOnly: true)
        let settings = try log.settings(of: seller)
        let reconciliation = try Reconciliation(report: amazon, timeZoneName: settings.timeZoneName) { day in try log.dashboard(seller: seller, asOf: day) }
        switch format {
        case .table: print(Self.table(reconciliation, seller: seller))
        case .json: print(Self.json(reconciliation, seller: seller).prettyPrinted)
        }
    }

    static func table(_ reconciliation: Reconciliation, seller: String) -> String {
        var lines = [
            "\(seller) · Amazon marketplace \(reconciliation.report.marketplaceID)",
            "Account status: Amazon \(reconciliation.report.accountStatus ?? "—"), HealthLedger \(reconciliation.ourStatus.rawValue)",
            "",
        ]
        let rows = reconciliation.lines.map { line in
            [line.figure.amazonName, line.ours.definition.id, "\(line.figure.from) to \(line.figure.to)",
             amazonCount(line.figure), DashboardRendering.formattedCount(line.ours) + " (" + DashboardRendering.formattedValue(line.ours) + ")",
             line.matches ? "match" : "differs"]
        }
        lines += TextTable(header: ["Amazon", "HealthLedger", "Amazon's range", "Amazon's count", "Ours", "Compared"], rows: rows).rendered.split(separator: "\n").map(String.init)
        for line in reconciliation.lines where !line.matches {
            lines.append("")
            lines.append("\(line.figure.amazonName) differs:")
            lines += line.causes.map { "  - " + $0 }
        }
        return lines.joined(separator: "\n")
    }

    static func amazonCount(_ figure: PerformanceReport.Figure) -> String {
        let count = "\(figure.numerator.map(String.init) ?? "?") of \(figure.denominator.map(String.init) ?? "?")"
        return figure.rate.map { count + String(format: " (%.2f%%)", $0 * 100) } ?? count
    }

    static func json(_ reconciliation: Reconciliation, seller: String) -> JSONValue {
        func number(_ value: Int64?) -> JSONValue { value.map(JSONValue.integer) ?? .null }
        func number(_ value: Double?) -> JSONValue { value.map { .number(JSONNumber(lexeme: String($0))) } ?? .null }
        let lines = reconciliation.lines.map { line -> JSONValue in
            .object(JSONObject([
                ("amazon_metric", .string(line.figure.amazonName)), ("metric", .string(line.ours.definition.id)),
                ("from", .string(line.figure.from.description)), ("to", .string(line.figure.to.description)),
                ("amazon", .object(JSONObject([("numerator", number(line.figure.numerator)), ("denominator", number(line.figure.denominator)),
                                               ("rate", number(line.figure.rate)), ("status", line.figure.status.map(JSONValue.string) ?? .null)]))),
                ("ours", .object(JSONObject([("numerator", number(line.ours.counts.numerator)), ("denominator", number(line.ours.counts.denominator)),
                                             ("value", number(line.ours.value)), ("status", .string(line.ours.status.rawValue))]))),
                ("matches", .bool(line.matches)), ("causes", .array(line.causes.map(JSONValue.string))),
            ]))
        }
        return .object(JSONObject([
            ("seller", .string(seller)), ("marketplace_id", .string(reconciliation.report.marketplaceID)),
            ("amazon_account_status", reconciliation.report.accountStatus.map(JSONValue.string) ?? .null),
            ("account_status", .string(reconciliation.ourStatus.rawValue)), ("lines", .array(lines)),
        ]))
    }
}
