import Foundation
import Testing

struct ReportCommandTests {
    /// One self-contained page: every metric in the table and as a chart, red-line metrics
    /// first, nothing fetched from a network.
    @Test func theReportIsOneSelfContainedPageWithEveryMetric() throws {
        let folder = TrendCommandTests.sampleFolder
        let result = try HealthLedgerProcess.run(["report", "--seller", "seller-1", "--as-of", "2026-04-30", "--out", "report.html"], in: folder.url)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "wrote report.html: seller-1 as of 2026-04-30, healthy\n")
        let html = try String(contentsOf: folder.url.appendingPathComponent("report.html"), encoding: .utf8)
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.components(separatedBy: "<svg").count - 1 == 21)
        #expect(html.contains("Account healthy") && html.contains("4 of 722"))
        // Links and sources, beyond the SVG namespace, would need a network.
        #expect(!html.replacingOccurrences(of: "xmlns=\"http://www.w3.org/2000/svg\"", with: "").contains("http"))
        let chartTitles = html.components(separatedBy: "<div class=\"chart\">").dropFirst().map { chart in
            chart.components(separatedBy: "font-weight=\"bold\"").dropFirst().first?.components(separatedBy: "</text>").first ?? ""
        }
        #expect(chartTitles.first?.hasSuffix(">Order defect rate") == true)
        #expect(chartTitles.prefix(7).allSatisfy { !$0.contains("Refund") })
        #expect(chartTitles.last?.hasSuffix(">Refund rate") == true)
    }
}
