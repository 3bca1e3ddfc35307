import HealthLedgerCore

/// Amazon's own numbers for one marketplace, from `GET_V2_SELLER_PERFORMANCE_REPORT`
/// (schema `accountHealthReport-2020-11-18`), read defensively: the schema's examples spell
/// some names differently (`prefulfillmentCancelRate`, `warningState`, `ahrStatus`), a count may
/// be a number or `{count, status}`, and late shipment may come as one metric or a list.
public struct PerformanceReport: Sendable {
    /// One of Amazon's figures, beside the HealthLedger metric that measures the same thing.
    public struct Figure: Sendable {
        public let amazonName: String
        public let metric: FigureMapping
        /// Amazon's reporting range, as UTC dates.
        public let from: CivilDate
        public let to: CivilDate
        public let numerator: Int64?
        public let denominator: Int64?
        public let rate: Double?
        public let status: String?

        public var days: Int { to.daysSinceEpoch - from.daysSinceEpoch + 1 }

        /// The HealthLedger metric of the same name and, for late shipment, the nearest window.
        public var metricID: String { metric.metricID(forDays: days) }
    }

    public let marketplaceID: String
    public let accountStatus: String?
    public let figures: [Figure]

    public static func parse(_ bytes: [UInt8], marketplaceID wanted: String?) throws(ReportError) -> PerformanceReport {
        let root: JSONValue
        do { root = try JSONParser.parse(bytes) } catch { throw ReportError("the report is not JSON: \(error.message) at byte \(error.offset)") }
        guard let performance = root["performanceMetrics"]?.arrayValue, !performance.isEmpty else {
            throw ReportError("the report has no performanceMetrics")
        }
        let marketplaces = performance.compactMap { $0["marketplaceId"]?.stringValue }
        let chosen: JSONValue
        if let wanted {
            guard let match = performance.first(where: { $0["marketplaceId"]?.stringValue == wanted }) else {
                throw ReportError("the report has no marketplace \(wanted); it has \(marketplaces.joined(separator: ", "))")
            }
            chosen = match
        } else {
            guard performance.count == 1 else {
                throw ReportError("the report covers the marketplaces \(marketplaces.joined(separator: ", ")); name one with --marketplace-id")
            }
            chosen = performance[0]
        }
        let id = chosen["marketplaceId"]?.stringValue ?? "?"
        let status = root["accountStatuses"]?.arrayValue?.first { $0["marketplaceId"]?.stringValue == id }
            .flatMap { $0.firstString(["status", "accountStatus"]) }
        var figures: [Figure] = []
        for mapping in FigureMapping.all {
            for (name, object) in mapping.objects(in: chosen) {
                if let figure = try mapping.figure(named: name, from: object) { figures.append(figure) }
            }
        }
        return PerformanceReport(marketplaceID: id, accountStatus: status, figures: figures)
    }
}

public struct ReportError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// Where one of Amazon's metrics stands in the report, and which HealthLedger metric it is.
public struct FigureMapping: Sendable {
    /// The metric's key in `performanceMetrics`, each spelling the schema uses; `channel` picks
    /// `mfn` or `afn` inside it.
    let keys: [String]
    let channel: String?
    let numeratorKeys: [String]
    let denominatorKeys: [String]
    /// The HealthLedger metric by the length of Amazon's range (late shipment has two).
    let metricByDays: [(days: Int, id: String)]
    /// What the numerator and denominator count, and the feeds that bring them.
    public let units: String
    public let denominatorFeed: String
    public let numeratorFeed: String

    func units(_ count: Int64) -> String { count == 1 ? String(units.dropLast()) : units }

    public func metricID(forDays days: Int) -> String {
        metricByDays.min { abs($0.days - days) < abs($1.days - days) }!.id
    }

    func objects(in marketplace: JSONValue) -> [(String, JSONValue)] {
        var found: [(String, JSONValue)] = []
        for key in keys {
            // A list (late shipment's windows) holds the single metric's range too.
            let candidates = marketplace[key + "List"]?.arrayValue ?? marketplace[key].map { $0.arrayValue ?? [$0] } ?? []
            for candidate in candidates {
                if let channel {
                    if let inner = candidate[channel] { found.append(("\(key).\(channel)", inner)) }
                } else {
                    found.append((key, candidate))
                }
            }
            if !found.isEmpty { break }
        }
        return found
    }

    func figure(named name: String, from object: JSONValue) throws(ReportError) -> PerformanceReport.Figure? {
        guard let range = object["reportingDateRange"] else { return nil }
        guard let from = range["reportingDateFrom"]?.stringValue.flatMap(Self.utcDate),
              let to = range["reportingDateTo"]?.stringValue.flatMap(Self.utcDate) else {
            throw ReportError("\(name): reportingDateRange has no readable reportingDateFrom and reportingDateTo")
        }
        return PerformanceReport.Figure(
            amazonName: name, metric: self, from: from, to: to,
            numerator: object.firstCount(numeratorKeys), denominator: object.firstCount(denominatorKeys),
            rate: object["rate"]?.doubleValue, status: object.firstString(["status", "warningState", "ahrStatus"])
        )
    }

    /// The UTC date of a report timestamp (`2020-11-18T23:59Z`, with or without seconds).
    static func utcDate(_ text: String) -> CivilDate? {
        guard let time = ReportTimeReader(timeZone: .gmt, dateOrder: .yearMonthDay).read(text) else { return nil }
        return CivilDate(daysSinceEpoch: Int(time.instant.microseconds.floorDivided(by: 86_400_000_000)))
    }

    static func odr(_ channel: String, _ id: String) -> FigureMapping {
        FigureMapping(keys: ["orderDefectRate"], channel: channel, numeratorKeys: ["orderWithDefects", "ordersWithDefects"], denominatorKeys: ["orderCount"],
                      metricByDays: [(60, id)], units: "orders", denominatorFeed: "the All Orders report (amazon-orders)",
                      numeratorFeed: "feedback (amazon-feedback) or claims and chargebacks (claims-csv)")
    }

    public static let all: [FigureMapping] = [
        odr("mfn", "order_defect_rate_fbm"),
        odr("afn", "order_defect_rate_fba"),
        FigureMapping(keys: ["lateShipmentRate"], channel: nil, numeratorKeys: ["lateShipmentCount"], denominatorKeys: ["orderCount"],
                      metricByDays: [(10, "late_shipment_rate_10d"), (30, "late_shipment_rate_30d")], units: "orders",
                      denominatorFeed: "the order promises (amazon-order-promises) or All Orders report",
                      numeratorFeed: "ship confirmations (shipments-csv)"),
        FigureMapping(keys: ["preFulfillmentCancellationRate", "prefulfillmentCancelRate", "preFulfillmentCancelRate"], channel: nil,
                      numeratorKeys: ["cancellationCount", "cancelledOrderCount"], denominatorKeys: ["orderCount"],
                      metricByDays: [(7, "pre_fulfillment_cancel_rate")], units: "orders",
                      denominatorFeed: "the All Orders report (amazon-orders)", numeratorFeed: "cancellations in the All Orders report, or ship confirmations (shipments-csv)"),
        FigureMapping(keys: ["validTrackingRate"], channel: nil, numeratorKeys: ["validTrackingCount"], denominatorKeys: ["shipmentCount"],
                      metricByDays: [(30, "valid_tracking_rate")], units: "shipments",
                      denominatorFeed: "ship confirmations (shipments-csv)", numeratorFeed: "carrier scans (carrier-scans-csv)"),
        FigureMapping(keys: ["onTimeDeliveryRate"], channel: nil, numeratorKeys: ["onTimeDeliveryCount"], denominatorKeys: ["shipmentCountWithValidTracking"],
                      metricByDays: [(14, "on_time_delivery_rate")], units: "shipments",
                      denominatorFeed: "the order promises (amazon-order-promises) or ship confirmations", numeratorFeed: "deliveries"),
    ]
}

extension JSONValue {
    subscript(key: String) -> JSONValue? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    var arrayValue: [JSONValue]? {
        if case .array(let values) = self { return values }
        return nil
    }

    var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    var doubleValue: Double? {
        if case .number(let number) = self { return number.doubleValue }
        return nil
    }

    /// A count given as a number or as `{count, …}`.
    func firstCount(_ keys: [String]) -> Int64? {
        for key in keys {
            switch self[key] {
            case .number(let number)?: if let value = number.integerValue { return Int64(value) }
            case let value?: if case .number(let number)? = value["count"], let count = number.integerValue { return Int64(count) }
            case nil: continue
            }
        }
        return nil
    }

    func firstString(_ keys: [String]) -> String? { keys.lazy.compactMap { self[$0]?.stringValue }.first }
}
