import ArgumentParser
import Foundation
import HealthLedgerCore
import HealthLedgerStore

struct ForecastCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forecast",
        abstract: "Assuming no new events: the next days each metric changes as units age out, the day a red metric turns green, and a red-line metric's headroom.",
        discussion: "Headroom: how many more defective units, at the current volume, a red-line metric can take before it turns red."
    )

    @OptionGroup var database: DatabaseOptions

    @OptionGroup var target: SellerDayOptions

    @Option(help: "How many coming changes to list per metric.")
    var changes = 5

    @Option(help: "table or json.")
    var format: OutputFormat = .table

    func validate() throws {
        guard format != .csv else { throw ValidationError("--format is table or json.") }
        guard changes >= 0 else { throw ValidationError("--changes must not be negative.") }
    }

    func run() throws {
        let log = try database.open(readOnly: true)
        let (_, day) = try target.resolve(in: log)
        let seller = target.seller
        let deltas = try log.dailyDeltas(seller: seller)
        let forecasts = MetricCatalog.all.indices.map { MetricForecast(deltas: deltas, metric: $0, asOf: day.daysSinceEpoch, changes: changes) }
        if format == .json {
            print(JSONValue.object(JSONObject([
                ("seller", .string(seller)),
                ("as_of", .string(day.description)),
                ("metrics", .object(JSONObject(forecasts.map { forecast in
                    (forecast.definition.id, JSONValue.object(JSONObject([
                        ("now", DashboardRendering.json(forecast.asOf, date: nil)),
                        ("changes", .array(forecast.changes.map { DashboardRendering.json($0.reading, date: $0.day) })),
                        ("green_again", forecast.greenAgain.map { .string($0.description) } ?? .null),
                        ("headroom", forecast.asOf.headroom.map { .integer($0) } ?? .null),
                    ])))
                }))),
            ])).prettyPrinted)
            return
        }
        let rows = forecasts.map { forecast in
            [forecast.definition.id, "\(DashboardRendering.formattedValue(forecast.asOf)) \(forecast.asOf.status.rawValue)",
             forecast.changes.map { "\($0.day.description.dropFirst(5)) \(DashboardRendering.formattedValue($0.reading))" }.joined(separator: ", "),
             forecast.greenAgain?.description ?? "", forecast.asOf.headroom.map(String.init) ?? ""]
        }
        print("\(seller) · as of \(day) · assuming no new events")
        print(TextTable(header: ["Metric", "Now", "Next changes", "Green again", "Headroom"], rows: rows).rendered)
    }
}
