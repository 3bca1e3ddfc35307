/// One unit behind a metric's numerator as of a day: what it adds, the day it is attributed
/// to, the first day it no longer counts (it leaves the window), and its events.
public struct Explanation: Sendable {
    public let unit: UnitReference
    public let measure: Measure
    public let leavesWindow: Int
    public let events: [UnitEvent]

    /// Every unit whose measure adds to the numerator of `metric` as of `day`, by the day it
    /// leaves the window: the definitions read directly, as the from-scratch replay does.
    public static func numerator(of metric: Int, asOf day: Int, histories: [(unit: UnitReference, events: [UnitEvent])],
                                 settings: SellerSettings) -> [Explanation] {
        let definition = MetricCatalog.all[metric]
        let asOf = AsOf(day: day, calendar: settings.calendar)
        let units = histories.filter { $0.unit.kind == definition.unitKind }
        return ParallelMap.map(units) { unit, events in
            Projection.measures(unit: unit, events: events, settings: settings, asOf: asOf).compactMap { index, measure in
                guard index == metric, measure.numerator != 0, measure.day <= day, measure.day > day - definition.windowDays else { return nil }
                return Explanation(unit: unit, measure: measure, leavesWindow: measure.day + definition.windowDays, events: events)
            }
        }.flatMap { $0 }.sorted { ($0.leavesWindow, $0.unit.key) < ($1.leavesWindow, $1.unit.key) }
    }
}
