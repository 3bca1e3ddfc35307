/// One metric's standing as of a day.
public struct MetricReading: Sendable {
    public let definition: MetricDefinition
    public let counts: Counts

    public init(definition: MetricDefinition, counts: Counts) {
        self.definition = definition
        self.counts = counts
    }

    /// The numerator in the metric's own unit (hours, seconds, or a count).
    public var numerator: Double { Double(counts.numerator) / Double(definition.valueKind.numeratorScale) }

    /// Null when the denominator is 0; for a count, the count.
    public var value: Double? {
        if definition.valueKind == .count { return Double(counts.numerator) }
        guard counts.denominator != 0 else { return nil }
        return Double(counts.numerator) / Double(definition.valueKind.numeratorScale) / Double(counts.denominator)
    }

    /// Section 3's status, with thresholds compared exactly: value = n / (scale · d) against p / q.
    public var status: MetricStatus {
        guard let target = definition.target else { return .none }
        if target.comparison == .zero { return counts.numerator == 0 ? .green : .red }
        guard counts.denominator != 0 else { return .none }
        let (p, q) = target.threshold
        let lhs = Int128(counts.numerator) * Int128(q)
        let limit = Int128(p) * Int128(definition.valueKind.numeratorScale) * Int128(counts.denominator)
        switch target.comparison {
        case .below where lhs >= limit: return definition.isRedLine ? .red : .yellow
        // Within 20% of the limit: 0.8 · p/q ≤ value.
        case .below where definition.isRedLine && lhs * 5 >= limit * 4: return .yellow
        case .above where lhs <= limit: return .yellow
        default: return .green
        }
    }
}

extension MetricReading {
    /// For a red-line metric that is not red: how many more units in the numerator, at the
    /// same denominator, it can take before it turns red. Nil otherwise, or without volume.
    public var headroom: Int64? {
        guard definition.isRedLine, status != .red, let target = definition.target else { return nil }
        if target.comparison == .zero { return 0 }
        guard target.comparison == .below, counts.denominator > 0 else { return nil }
        // Red once numerator · q ≥ p · scale · denominator.
        let (p, q) = target.threshold
        let redAt = (Int128(p) * Int128(definition.valueKind.numeratorScale) * Int128(counts.denominator) + Int128(q) - 1) / Int128(q)
        return Int64(redAt) - 1 - counts.numerator
    }
}

public enum AccountStatus: String, Sendable {
    case healthy
    case atRisk = "at_risk"
}

/// Every metric of a seller as of a day.
public struct Dashboard: Sendable {
    public let seller: String
    public let asOf: CivilDate
    public let knownAt: String?
    public let settings: SellerSettings
    /// In `MetricCatalog.all` order.
    public let readings: [MetricReading]

    /// `counts` by metric id; a metric without counts reads as 0 of 0.
    public init(seller: String, asOf: CivilDate, knownAt: String?, settings: SellerSettings, counts: [String: Counts]) {
        self.seller = seller
        self.asOf = asOf
        self.knownAt = knownAt
        self.settings = settings
        readings = MetricCatalog.all.map { MetricReading(definition: $0, counts: counts[$0.id] ?? Counts()) }
    }

    /// At risk when any red-line metric is red.
    public var status: AccountStatus {
        readings.contains { $0.definition.isRedLine && $0.status == .red } ? .atRisk : .healthy
    }
}
