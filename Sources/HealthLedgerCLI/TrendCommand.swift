import ArgumentParser
import Foundation
import HealthLedgerCore
import HealthLedgerStore

enum TrendFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json, csv, svg
}

struct TrendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trend",
        abstract: "The value of metrics as of every day of a range, from the projection's daily counters.",
        discussion: "JSON is section 4's daily trend: one object for one metric, an array for several."
    )

    @OptionGroup var database: DatabaseOptions

    @Option(help: "The seller id.")
    var seller: String

    @Option(help: "Metric ids, separated by commas.")
    var metric: String

    @Option(help: "The first day, YYYY-MM-DD.")
    var from: String

    @Option(help: "The last day, YYYY-MM-DD.")
    var to: String

    @Option(help: "Every day as the dashboard showed it at this recorded time (RFC 3339): one replay of the events recorded by then.")
    var knownAt: String?

    @Option(help: "table, json, csv, or svg (a line chart per metric, with its target and status bands).")
    var format: TrendFormat = .table

    func validate() throws {
        guard let first = CivilDate(iso: from), let last = CivilDate(iso: to) else { throw ValidationError("--from and --to must be dates like 2026-03-31.") }
        guard first.daysSinceEpoch <= last.daysSinceEpoch else { throw ValidationError("--from must not come after --to.") }
        for id in metricIDs { _ = try MetricCatalog.index(ofOption: id) }
        if let knownAt, Instant(rfc3339: knownAt) == nil { throw ValidationError("--known-at must be an RFC 3339 time like 2026-03-12T23:59:59-08:00.") }
    }

    private var metricIDs: [String] { metric.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }

    func run() throws {
        let deltas = try database.open(readOnly: true).dailyDeltas(seller: seller, knownAt: knownAt.flatMap(Instant.init(rfc3339:)))
        let days = CivilDate(iso: from)!.daysSinceEpoch...CivilDate(iso: to)!.daysSinceEpoch
        let series = try metricIDs.map { id in deltas.series(metric: try MetricCatalog.index(ofOption: id), days: days) }
        switch format {
        case .json:
            let objects = series.map { DashboardRendering.json($0, seller: seller) }
            print((objects.count == 1 ? objects[0] : .array(objects)).prettyPrinted)
        case .csv:
            print("seller,metric,date,numerator,denominator,value,status")
            for one in series {
                for (day, reading) in one.readings {
                    print(([seller, one.definition.id, day.description] + DashboardRendering.csvCountFields(reading) + [reading.status.rawValue])
                        .map(DashboardRendering.csvField).joined(separator: ","))
                }
            }
        case .table:
            let rows = (0..<days.count).map { offset in
                [CivilDate(daysSinceEpoch: days.lowerBound + offset).description] + series.map { one in
                    let reading = MetricReading(definition: one.definition, counts: one.counts[offset])
                    return "\(DashboardRendering.formattedValue(reading)) (\(DashboardRendering.formattedCount(reading)))"
                }
            }
            print(TextTable(header: ["Date"] + series.map(\.definition.id), rows: rows).rendered)
        case .svg:
            print(TrendChart.svg(series, seller: seller, knownAt: knownAt))
        }
    }
}
