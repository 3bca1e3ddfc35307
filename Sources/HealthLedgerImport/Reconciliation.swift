import HealthLedgerCore

/// Amazon's figures beside HealthLedger's for the same metric as of the last day of Amazon's
/// range, each difference with its likely cause, so a seller learns whether to trust the early
/// warnings.
public struct Reconciliation: Sendable {
    public struct Line: Sendable {
        public let figure: PerformanceReport.Figure
        public let ours: MetricReading
        /// Empty when both agree.
        public let causes: [String]

        public var matches: Bool { causes.isEmpty }
    }

    public let report: PerformanceReport
    public let ourStatus: AccountStatus
    public let lines: [Line]

    /// `dashboard(day)` is the seller's dashboard as of a day; Amazon's ranges are UTC dates,
    /// taken here as the seller's days.
    public init(report: PerformanceReport, timeZoneName: String, dashboard: (CivilDate) throws -> Dashboard) rethrows {
        self.report = report
        var dashboards: [CivilDate: Dashboard] = [:]
        var lines: [Line] = []
        for figure in report.figures {
            if dashboards[figure.to] == nil { dashboards[figure.to] = try dashboard(figure.to) }
            let ours = dashboards[figure.to]!.readings.first { $0.definition.id == figure.metricID }!
            lines.append(Line(figure: figure, ours: ours, causes: Self.causes(figure, ours, timeZoneName: timeZoneName)))
        }
        self.lines = lines
        ourStatus = report.figures.map(\.to).max().flatMap { dashboards[$0]?.status } ?? .healthy
    }

    static func causes(_ figure: PerformanceReport.Figure, _ ours: MetricReading, timeZoneName: String) -> [String] {
        let mapping = figure.metric
        var causes: [String] = []
        if let theirs = figure.denominator, theirs != ours.counts.denominator {
            let difference = ours.counts.denominator - theirs
            if ours.counts.denominator == 0 {
                causes.append("no \(mapping.units) in our log for this range: \(mapping.denominatorFeed) not imported")
            } else if difference < 0 {
                causes.append("\(-difference) \(mapping.units(-difference)) missing from our log: \(mapping.denominatorFeed) not imported, or not for the whole range")
            } else {
                causes.append("\(difference) more \(mapping.units(difference)) in our log than Amazon counts: ones Amazon leaves out, or outside its range")
            }
        }
        if let theirs = figure.numerator, theirs != ours.counts.numerator {
            let difference = ours.counts.numerator - theirs
            causes.append(difference < 0
                ? "\(-difference) fewer in our numerator: \(mapping.numeratorFeed) not imported, or behind"
                : "\(difference) more in our numerator: a removal, reversal or correction Amazon has that our log lacks (\(mapping.numeratorFeed))")
        }
        guard !causes.isEmpty else { return [] }
        if figure.days != ours.definition.windowDays {
            causes.append("window offset: Amazon's range is \(figure.days) days (\(figure.from) to \(figure.to)), ours \(ours.definition.windowDays)")
        }
        if timeZoneName != "UTC" {
            causes.append("our days end at midnight in \(timeZoneName), Amazon's range is in UTC")
        }
        return causes
    }
}
