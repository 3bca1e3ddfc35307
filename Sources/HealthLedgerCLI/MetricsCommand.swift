import ArgumentParser
import Foundation
import HealthLedgerCore
import HealthLedgerStore

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json, csv
}

struct MetricsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics",
        abstract: "The account-health and customer-service dashboard of a seller, or of every seller."
    )

    @OptionGroup var database: DatabaseOptions

    @Option(help: "The seller id.")
    var seller: String?

    @Flag(help: "Every seller, with its account status and its red metrics.")
    var all = false

    @Option(help: "The day, YYYY-MM-DD, in the seller's time zone. Default: today there.")
    var asOf: String?

    @Option(help: "What the dashboard showed when only the events recorded up to this time (RFC 3339) were in the log; --as-of defaults to its day.")
    var knownAt: String?

    @Option(help: "table, json (section 4 of the contract) or csv.")
    var format: OutputFormat = .table

    func validate() throws {
        guard (seller == nil) != !all else { throw ValidationError("Give --seller S or --all.") }
        if let asOf, CivilDate(iso: asOf) == nil { throw ValidationError("--as-of must be a date like 2026-03-31.") }
        if let knownAt, Instant(rfc3339: knownAt) == nil { throw ValidationError("--known-at must be an RFC 3339 time like 2026-03-12T23:59:59-08:00.") }
    }

    func run() throws {
        let log = try database.open(readOnly: true)
        let dashboards = try (all ? log.sellers() : [seller!]).map { seller in
            let day = try log.settings(of: seller).day(asOf: asOf, at: knownAt.flatMap(Instant.init(rfc3339:)) ?? .now)
            guard let knownAt else { return try log.dashboard(seller: seller, asOf: day) }
            return try log.dashboard(seller: seller, asOf: day, knownAt: Instant(rfc3339: knownAt)!, knownAtText: knownAt)
        }
        switch (format, all) {
        case (.json, false): print(DashboardRendering.json(dashboards[0]).prettyPrinted)
        case (.json, true): print(JSONValue.array(dashboards.map(DashboardRendering.json)).prettyPrinted)
        case (.csv, _): print(DashboardRendering.csv(dashboards), terminator: "")
        case (.table, false): print(DashboardRendering.table(dashboards[0], colour: isatty(STDOUT_FILENO) == 1))
        case (.table, true): print(DashboardRendering.summary(dashboards, colour: isatty(STDOUT_FILENO) == 1))
        }
    }
}

/// How dashboards read: formatting only, every number comes from the core.
enum DashboardRendering {
    /// Section 4 of the contract.
    static func json(_ dashboard: Dashboard) -> JSONValue {
        let metrics = dashboard.readings.map { reading -> (key: String, value: JSONValue) in
            let definition = reading.definition
            return (definition.id, object([("window_days", .integer(definition.windowDays))] + countFields(reading) + [
                ("target", definition.target.map { .string($0.text) } ?? .null),
                ("status", .string(reading.status.rawValue)),
            ]))
        }
        return object([
            ("seller", .string(dashboard.seller)),
            ("as_of", .string(dashboard.asOf.description)),
            ("known_at", dashboard.knownAt.map(JSONValue.string) ?? .null),
            ("status", .string(dashboard.status.rawValue)),
            ("metrics", .object(JSONObject(metrics))),
        ])
    }

    /// Section 4's daily trend of one metric.
    static func json(_ series: MetricSeries, seller: String) -> JSONValue {
        object([
            ("seller", .string(seller)),
            ("metric", .string(series.definition.id)),
            ("days", .array(series.readings.map { day, reading in json(reading, date: day) })),
        ])
    }

    /// One reading as a trend's day writes it, with its date when it has one.
    static func json(_ reading: MetricReading, date: CivilDate?) -> JSONValue {
        object((date.map { [("date", JSONValue.string($0.description))] } ?? []) + countFields(reading) + [("status", .string(reading.status.rawValue))])
    }

    /// Numerator, denominator and value as section 4 writes them.
    private static func countFields(_ reading: MetricReading) -> [(String, JSONValue)] {
        let definition = reading.definition
        return [
            ("numerator", hasIntegerNumerator(definition) ? .integer(reading.counts.numerator) : number(reading.numerator)),
            ("denominator", definition.valueKind == .count ? .null : .integer(reading.counts.denominator)),
            ("value", reading.value.map { definition.valueKind == .count ? .integer(Int($0)) : number($0) } ?? .null),
        ]
    }

    static func csv(_ dashboards: [Dashboard]) -> String {
        var text = "seller,as_of,metric,window_days,numerator,denominator,value,target,status\n"
        for dashboard in dashboards {
            for reading in dashboard.readings {
                let definition = reading.definition
                let fields = [dashboard.seller, dashboard.asOf.description, definition.id, String(definition.windowDays)]
                    + csvCountFields(reading) + [definition.target?.text ?? "", reading.status.rawValue]
                text += fields.map(csvField).joined(separator: ",") + "\n"
            }
        }
        return text
    }

    /// Numerator, denominator and value, as the JSON writes them.
    static func csvCountFields(_ reading: MetricReading) -> [String] {
        let definition = reading.definition
        return [hasIntegerNumerator(definition) ? String(reading.counts.numerator) : String(reading.numerator),
                definition.valueKind == .count ? "" : String(reading.counts.denominator),
                reading.value.map { String($0) } ?? ""]
    }

    /// Like Seller Central's account-health page.
    static func table(_ dashboard: Dashboard, colour: Bool) -> String {
        let settings = dashboard.settings
        let place = [settings.channel, settings.marketplace].compactMap { $0 }.joined(separator: " ")
        var lines = [
            "\(dashboard.seller) · \(place) · \(settings.timeZoneName) · as of \(dashboard.asOf)",
            "Account status: \(paint(dashboard.status == .healthy ? "healthy" : "AT RISK", dashboard.status == .healthy ? .green : .red, colour))",
            "",
        ]
        let rows = dashboard.readings.map { reading in
            [reading.definition.name + (reading.definition.isRedLine ? " *" : ""), "\(reading.definition.windowDays) d",
             formattedValue(reading), formattedCount(reading), reading.definition.target?.text ?? "—", reading.status.rawValue]
        }
        let table = TextTable(header: ["Metric", "Window", "Value", "Count", "Target", "Status"], rows: rows).rendered.split(separator: "\n")
        lines.append(String(table[0]))
        for (line, reading) in zip(table.dropFirst(), dashboard.readings) {
            lines.append(colour ? String(line.dropLast(reading.status.rawValue.count)) + paint(reading.status.rawValue, reading.status, true) : String(line))
        }
        lines.append("")
        lines.append("* red line: red puts the account at risk")
        return lines.joined(separator: "\n")
    }

    /// One line per seller: account status and red metrics.
    static func summary(_ dashboards: [Dashboard], colour: Bool) -> String {
        let rows = dashboards.map { dashboard in
            [dashboard.seller, dashboard.asOf.description, dashboard.status.rawValue,
             dashboard.readings.filter { $0.status == .red }.map { "\($0.definition.id) \(formattedValue($0))" }.joined(separator: ", ")]
        }
        return TextTable(header: ["Seller", "As of", "Status", "Red metrics"], rows: rows).rendered
    }

    static func formattedValue(_ reading: MetricReading) -> String {
        guard let value = reading.value else { return "—" }
        switch reading.definition.valueKind {
        case .count: return String(Int(value))
        case .hours: return String(format: "%.1f h", value)
        case .seconds: return String(format: "%.0f s", value)
        case .rate: return String(format: "%.2f%%", value * 100)
        }
    }

    static func formattedCount(_ reading: MetricReading) -> String {
        switch reading.definition.valueKind {
        case .count: return String(reading.counts.numerator)
        case .hours, .seconds: return "n = \(reading.counts.denominator)"
        case .rate: return "\(reading.counts.numerator) of \(reading.counts.denominator)"
        }
    }

    static func paint(_ text: String, _ status: MetricStatus, _ colour: Bool) -> String {
        guard colour else { return text }
        let code = switch status {
        case .green: "32"
        case .yellow: "33"
        case .red: "31"
        case .none: "2"
        }
        return "\u{1B}[\(code)m\(text)\u{1B}[0m"
    }

    /// Counts print as integers; sums of durations in their unit.
    static func hasIntegerNumerator(_ definition: MetricDefinition) -> Bool {
        definition.valueKind == .rate || definition.valueKind == .count
    }

    static func csvField(_ text: String) -> String {
        text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
    }

    private static func object(_ members: [(String, JSONValue)]) -> JSONValue {
        .object(JSONObject(members.map { (key: $0.0, value: $0.1) }))
    }

    private static func number(_ value: Double) -> JSONValue { .number(JSONNumber(lexeme: String(value))) }
}
