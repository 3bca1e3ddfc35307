import Foundation
import HealthLedgerCore

/// Line charts of metric series as one SVG: a panel per metric, its target as a dashed line,
/// the green, yellow and red bands of its status behind, dates below.
enum TrendChart {
    static let width = 760.0
    static let panelHeight = 210.0
    private static let left = 64.0, right = 20.0, top = 34.0, bottom = 36.0
    private static let colours: [MetricStatus: String] = [.green: "#e3f4e6", .yellow: "#fdf3d6", .red: "#fbe1df"]

    /// With a seller, a title line names it (and the known-at time) above the panels.
    static func svg(_ series: [MetricSeries], seller: String?, knownAt: String?) -> String {
        let titleHeight = seller == nil ? 0.0 : 28
        let height = panelHeight * Double(series.count) + titleHeight
        var out = ##"<svg xmlns="http://www.w3.org/2000/svg" width="\##(Int(width))" height="\##(Int(height))" viewBox="0 0 \##(Int(width)) \##(Int(height))" font-family="Helvetica, Arial, sans-serif" font-size="12">"##
        out += ##"<rect width="100%" height="100%" fill="#ffffff"/>"##
        if let seller { out += text(left, 18, seller + (knownAt.map { " · as known at \($0)" } ?? ""), size: 13, weight: "bold") }
        for (index, one) in series.enumerated() { out += panel(one, y: titleHeight + panelHeight * Double(index)) }
        return out + "</svg>"
    }

    /// Values in the metric's display unit: percent for rates.
    private static func display(_ value: Double, _ kind: ValueKind) -> Double { kind == .rate ? value * 100 : value }

    private static func label(_ value: Double, _ kind: ValueKind) -> String {
        switch kind {
        case .rate: String(format: value < 10 ? "%.1f%%" : "%.0f%%", value)
        case .hours: String(format: "%.0f h", value)
        case .seconds: String(format: "%.0f s", value)
        case .count: String(format: "%.0f", value)
        }
    }

    private static func panel(_ series: MetricSeries, y: Double) -> String {
        let definition = series.definition
        let kind = definition.valueKind
        let readings = series.readings
        let values = readings.map { $0.reading.value.map { display($0, kind) } }
        let limit = definition.target.map { display($0.limit, kind) }
        var high = max(values.compactMap { $0 }.max() ?? 0, (limit ?? 0) * 1.5)
        if kind == .rate, definition.target?.comparison == .above { high = 100 }
        high = high > 0 ? high * 1.05 : 1
        let plotTop = y + top, plotBottom = y + panelHeight - bottom
        let plotWidth = width - left - right
        func yOf(_ value: Double) -> Double { plotBottom - (plotBottom - plotTop) * min(value, high) / high }
        func xOf(_ index: Int) -> Double { left + plotWidth * (readings.count > 1 ? Double(index) / Double(readings.count - 1) : 0.5) }

        let current = readings.last?.reading
        var out = text(left, y + 20, definition.name, size: 13, weight: "bold")
        out += text(width - right, y + 20, current.map { "\(DashboardRendering.formattedValue($0)) · target \(definition.target?.text ?? "none") · \($0.status.rawValue)" } ?? "",
                    anchor: "end", colour: "#444444")
        for (band, range) in bands(definition, limit: limit, high: high) {
            out += ##"<rect x="\##(fmt(left))" y="\##(fmt(yOf(range.upperBound)))" width="\##(fmt(plotWidth))" height="\##(fmt(yOf(range.lowerBound) - yOf(range.upperBound)))" fill="\##(colours[band]!)"/>"##
        }
        for fraction in [0.0, 0.5, 1.0] {
            let value = high / 1.05 * fraction
            out += ##"<line x1="\##(fmt(left))" x2="\##(fmt(width - right))" y1="\##(fmt(yOf(value)))" y2="\##(fmt(yOf(value)))" stroke="#dddddd"/>"##
            out += text(left - 6, yOf(value) + 4, label(value, kind), anchor: "end", colour: "#666666")
        }
        if let limit {
            out += ##"<line x1="\##(fmt(left))" x2="\##(fmt(width - right))" y1="\##(fmt(yOf(limit)))" y2="\##(fmt(yOf(limit)))" stroke="#b3261e" stroke-dasharray="6 4"/>"##
            out += text(width - right - 4, yOf(limit) - 4, "target \(definition.target!.text)", anchor: "end", colour: "#b3261e")
        }
        // A day without a value (no units in the window) breaks the line.
        var segments: [[String]] = [[]]
        for (index, value) in values.enumerated() {
            if let value { segments[segments.count - 1].append("\(fmt(xOf(index))),\(fmt(yOf(value)))") } else if !segments[segments.count - 1].isEmpty { segments.append([]) }
        }
        for points in segments where !points.isEmpty {
            out += ##"<polyline fill="none" stroke="#1f4e9c" stroke-width="2" points="\##(points.joined(separator: " "))"/>"##
        }
        for index in Set([0, readings.count / 2, readings.count - 1]).sorted() where !readings.isEmpty {
            out += text(xOf(index), plotBottom + 16, readings[index].day.description, anchor: index == 0 ? "start" : index == readings.count - 1 ? "end" : "middle", colour: "#666666")
        }
        return out
    }

    /// The value ranges of each status, from the target's own rule (section 3).
    private static func bands(_ definition: MetricDefinition, limit: Double?, high: Double) -> [(MetricStatus, ClosedRange<Double>)] {
        guard let target = definition.target, let limit else { return [] }
        switch target.comparison {
        case .zero: return [(.green, 0...min(high, 0.5)), (.red, min(high, 0.5)...high)]
        case .below where definition.isRedLine: return [(.green, 0...limit * 0.8), (.yellow, limit * 0.8...limit), (.red, limit...max(limit, high))]
        case .below: return [(.green, 0...limit), (.yellow, limit...max(limit, high))]
        case .above: return [(.yellow, 0...limit), (.green, limit...max(limit, high))]
        }
    }

    private static func text(_ x: Double, _ y: Double, _ content: String, size: Int = 12, weight: String = "normal", anchor: String = "start", colour: String = "#222222") -> String {
        let escaped = Markup.escape(content)
        return ##"<text x="\##(fmt(x))" y="\##(fmt(y))" font-size="\##(size)" font-weight="\##(weight)" text-anchor="\##(anchor)" fill="\##(colour)">\##(escaped)</text>"##
    }

    private static func fmt(_ value: Double) -> String { String(format: "%.1f", value) }
}

/// Text inside HTML and SVG.
enum Markup {
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;")
    }
}
