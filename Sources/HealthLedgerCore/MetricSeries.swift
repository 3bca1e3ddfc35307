/// A seller's daily deltas, every metric: the projection's counters, or a replay's.
public struct DailyDeltas: Sendable {
    /// By metric index, sorted by day.
    private let byMetric: [[(day: Int, counts: Counts)]]

    public init(_ deltas: [DeltaKey: Counts]) {
        var byMetric = [[(day: Int, counts: Counts)]](repeating: [], count: MetricCatalog.all.count)
        for (key, counts) in deltas where !counts.isZero { byMetric[key.metric].append((key.day, counts)) }
        self.byMetric = byMetric.map { $0.sorted { $0.day < $1.day } }
    }

    /// The metric's counts as of every day of `days`: running sums, not one sum a day.
    public func series(metric: Int, days: ClosedRange<Int>) -> MetricSeries {
        var counts: [Counts] = []
        counts.reserveCapacity(days.count)
        var total = Counts()
        var next = 0
        let deltas = byMetric[metric]
        for day in days {
            while next < deltas.count, deltas[next].day <= day {
                total = total + deltas[next].counts
                next += 1
            }
            counts.append(total)
        }
        return MetricSeries(definition: MetricCatalog.all[metric], firstDay: days.lowerBound, counts: counts)
    }

    /// One metric's counts as of `day`.
    public func counts(metric: Int, asOf day: Int) -> Counts { series(metric: metric, days: day...day).counts[0] }

    /// Every metric's counts as of `day`, by metric id.
    public func counts(asOf day: Int) -> [String: Counts] {
        Dictionary(uniqueKeysWithValues: MetricCatalog.all.indices.map { (MetricCatalog.all[$0].id, counts(metric: $0, asOf: day)) })
    }

    /// The days after `day` on which the metric's counts change with no new event (units
    /// leaving the window, deadlines passing), with the counts from then on.
    public func changes(metric: Int, after day: Int) -> [(day: Int, counts: Counts)] {
        var total = Counts()
        var changes: [(day: Int, counts: Counts)] = []
        for delta in byMetric[metric] {
            total = total + delta.counts
            guard delta.day > day else { continue }
            if let last = changes.last, last.day == delta.day {
                changes[changes.count - 1].counts = total
            } else {
                changes.append((delta.day, total))
            }
        }
        return changes
    }
}

/// One metric as of each day of a range.
public struct MetricSeries: Sendable {
    public let definition: MetricDefinition
    public let firstDay: Int
    public let counts: [Counts]

    public var readings: [(day: CivilDate, reading: MetricReading)] {
        counts.enumerated().map { (CivilDate(daysSinceEpoch: firstDay + $0.offset), MetricReading(definition: definition, counts: $0.element)) }
    }
}

/// What a metric will read if no event arrives after `asOf`: its counts change only as units
/// leave the window and deadlines pass, which the daily deltas already hold.
public struct MetricForecast: Sendable {
    public let definition: MetricDefinition
    public let asOf: MetricReading
    /// The next days on which the value changes, with the reading from then on.
    public let changes: [(day: CivilDate, reading: MetricReading)]
    /// For a red metric, the first day it is green again.
    public let greenAgain: CivilDate?

    public init(deltas: DailyDeltas, metric: Int, asOf day: Int, changes limit: Int) {
        definition = MetricCatalog.all[metric]
        let definition = definition
        asOf = MetricReading(definition: definition, counts: deltas.counts(metric: metric, asOf: day))
        let all = deltas.changes(metric: metric, after: day).map { (CivilDate(daysSinceEpoch: $0.day), MetricReading(definition: definition, counts: $0.counts)) }
        changes = Array(all.prefix(limit))
        greenAgain = asOf.status == .red ? all.first { $0.1.status == .green }?.0 : nil
    }
}
