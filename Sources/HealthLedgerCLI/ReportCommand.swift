import ArgumentParser
import Foundation
import HealthLedgerCore
import HealthLedgerStore

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "One self-contained HTML page: the dashboard as of a day, the account status, and a 90-day trend of every metric, red-line metrics first."
    )

    static let trendDays = 90

    @OptionGroup var database: DatabaseOptions

    @OptionGroup var target: SellerDayOptions

    @Option(help: "The HTML file to write.")
    var out: String

    func run() throws {
        let log = try database.open(readOnly: true)
        let (_, day) = try target.resolve(in: log)
        let seller = target.seller
        let dashboard = try log.dashboard(seller: seller, asOf: day)
        let deltas = try log.dailyDeltas(seller: seller)
        let days = (day.daysSinceEpoch - Self.trendDays + 1)...day.daysSinceEpoch
        let order = MetricCatalog.all.indices.sorted { (MetricCatalog.all[$0].isRedLine ? 0 : 1, $0) < (MetricCatalog.all[$1].isRedLine ? 0 : 1, $1) }
        let html = ReportPage.html(dashboard, trends: order.map { deltas.series(metric: $0, days: days) })
        guard FileManager.default.createFile(atPath: out, contents: Data(html.utf8)) else {
            throw InputError(description: "cannot write the report \(out)")
        }
        print("wrote \(out): \(seller) as of \(day), \(dashboard.status == .healthy ? "healthy" : "at risk")")
    }
}

/// The report as HTML: formatting only, the numbers come from the dashboard and the series.
enum ReportPage {
    private static let statusColours: [MetricStatus: String] = [.green: "#1e7a34", .yellow: "#9a6b00", .red: "#b3261e", .none: "#777777"]

    static func html(_ dashboard: Dashboard, trends: [MetricSeries]) -> String {
        let settings = dashboard.settings
        let place = [settings.channel, settings.marketplace].compactMap { $0 }.joined(separator: " ")
        let healthy = dashboard.status == .healthy
        let rows = dashboard.readings.sorted { ($0.definition.isRedLine ? 0 : 1) < ($1.definition.isRedLine ? 0 : 1) }.map { reading in
            let definition = reading.definition
            return "<tr><td>\(Markup.escape(definition.name))\(definition.isRedLine ? " <span class=\"redline\">red line</span>" : "")</td>"
                + "<td>\(definition.windowDays) d</td><td class=\"num\">\(Markup.escape(DashboardRendering.formattedValue(reading)))</td>"
                + "<td class=\"num\">\(Markup.escape(DashboardRendering.formattedCount(reading)))</td><td>\(Markup.escape(definition.target?.text ?? "—"))</td>"
                + "<td><span class=\"status\" style=\"background:\(statusColours[reading.status]!)\">\(reading.status.rawValue)</span></td></tr>"
        }
        let charts = trends.map { "<div class=\"chart\">\(TrendChart.svg([$0], seller: nil, knownAt: nil))</div>" }
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>\(Markup.escape(dashboard.seller)) · account health as of \(dashboard.asOf)</title>
            <style>
            body { font-family: Helvetica, Arial, sans-serif; color: #222; margin: 32px auto; max-width: 820px; }
            h1 { font-size: 22px; margin: 0 0 4px; } .meta { color: #666; margin-bottom: 18px; }
            .account { display: inline-block; padding: 6px 14px; border-radius: 6px; color: #fff; font-weight: bold; margin-bottom: 20px; }
            table { border-collapse: collapse; width: 100%; font-size: 13px; margin-bottom: 28px; }
            th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid #e5e5e5; } th { color: #555; font-weight: 600; }
            td.num { text-align: right; font-variant-numeric: tabular-nums; }
            .status { color: #fff; border-radius: 4px; padding: 2px 8px; font-size: 12px; }
            .redline { color: #b3261e; font-size: 11px; margin-left: 4px; }
            h2 { font-size: 17px; margin: 8px 0 12px; } .chart { margin-bottom: 6px; }
            </style></head><body>
            <h1>\(Markup.escape(dashboard.seller))</h1>
            <div class="meta">\(Markup.escape(place)) · \(Markup.escape(settings.timeZoneName)) · as of \(dashboard.asOf)</div>
            <div class="account" style="background:\(healthy ? statusColours[.green]! : statusColours[.red]!)">Account \(healthy ? "healthy" : "at risk")</div>
            <table><tr><th>Metric</th><th>Window</th><th class="num">Value</th><th class="num">Count</th><th>Target</th><th>Status</th></tr>
            \(rows.joined(separator: "\n"))
            </table>
            <h2>The last \(ReportCommand.trendDays) days</h2>
            \(charts.joined(separator: "\n"))
            </body></html>
            """
    }
}
