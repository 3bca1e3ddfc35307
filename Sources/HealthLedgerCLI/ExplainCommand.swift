import ArgumentParser
import Foundation
import HealthLedgerCore
import HealthLedgerStore

struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "The units behind a metric's numerator as of a day, by the day each leaves the window, with their events (for a thread, each message and how long it waited).",
        discussion: "For an average (response hours, handle seconds) every unit adds its duration; the listed numerators add up to the dashboard's."
    )

    @OptionGroup var database: DatabaseOptions

    @OptionGroup var target: SellerDayOptions

    @Option(help: "The metric id.")
    var metric: String

    @Option(help: "table or json.")
    var format: OutputFormat = .table

    func validate() throws {
        _ = try MetricCatalog.index(ofOption: metric)
        guard format != .csv else { throw ValidationError("--format is table or json.") }
    }

    func run() throws {
        let log = try database.open(readOnly: true)
        let (settings, day) = try target.resolve(in: log)
        let seller = target.seller
        let index = try MetricCatalog.index(ofOption: metric)
        let definition = MetricCatalog.all[index]
        let units = Explanation.numerator(of: index, asOf: day.daysSinceEpoch, histories: try log.unitHistories(seller: seller), settings: settings)
        let asOfEnd = AsOf(day: day.daysSinceEpoch, calendar: settings.calendar)
        let clock = DateFormatter()
        clock.timeZone = TimeZone(identifier: settings.timeZoneName) ?? TimeZone(identifier: "UTC")
        clock.dateFormat = "MM-dd HH:mm"
        func local(_ instant: Instant) -> String { clock.string(from: Date(timeIntervalSince1970: Double(instant.microseconds) / 1_000_000)) }
        func hours(_ from: Instant, _ to: Instant) -> String { String(format: "%.1f h", Double(to.microseconds - from.microseconds) / Double(Instant.microsecondsPerHour)) }
        /// A thread's messages as of the day, each with what settled it and after how long.
        func messages(_ unit: Explanation) -> [(message: UnitEvent, text: String)] {
            guard unit.unit.kind == .thread else { return [] }
            let facts = ThreadFacts(events: unit.events, calendar: settings.calendar, asOf: asOfEnd)
            return facts.messages.map { message in
                let sent = "sent \(local(message.at))"
                guard let settlement = facts.settlement(after: message.at) else { return (message, "\(sent), open for \(hours(message.at, asOfEnd.end))") }
                let how = settlement.fact == .noReplyNeeded ? "marked no reply needed" : "answered"
                return (message, "\(sent), \(how) after \(hours(message.at, settlement.at))")
            }
        }
        func added(_ unit: Explanation) -> String {
            switch definition.valueKind {
            case .rate, .count: String(unit.measure.numerator)
            case .hours: String(format: "%.2f h", Double(unit.measure.numerator) / Double(Instant.microsecondsPerHour))
            case .seconds: String(format: "%.1f s", Double(unit.measure.numerator) / 1_000_000)
            }
        }
        if format == .json {
            print(JSONValue.object(JSONObject([
                ("seller", .string(seller)),
                ("metric", .string(metric)),
                ("as_of", .string(day.description)),
                ("units", .array(units.map { unit in
                    .object(JSONObject([
                        ("unit", .string(unit.unit.key)),
                        ("attributed_to", .string(CivilDate(daysSinceEpoch: unit.measure.day).description)),
                        ("leaves_window", .string(CivilDate(daysSinceEpoch: unit.leavesWindow).description)),
                        ("numerator", .integer(unit.measure.numerator)),
                        ("events", .array(unit.events.map { event in
                            .object(JSONObject([("id", .string(event.id)), ("at", .string(event.at.rfc3339(offsetSeconds: 0))),
                                                ("what", .string(UnitEventDescription.text(event.fact)))]))
                        })),
                        ("messages", .array(messages(unit).map { message, text in
                            .object(JSONObject([("id", .string(message.id)), ("what", .string(text))]))
                        })),
                    ]))
                })),
            ])).prettyPrinted)
            return
        }
        print("\(seller) · \(definition.name) · as of \(day): \(units.count) units in the numerator")
        let rows = units.map { unit in
            let story = unit.unit.kind == .thread
                ? messages(unit).map { "\(UnitEventDescription.text($0.message.fact)) \($0.text)" }
                : unit.events.map { "\(local($0.at)) \(UnitEventDescription.text($0.fact))" }
            return [unit.unit.key, CivilDate(daysSinceEpoch: unit.measure.day).description, CivilDate(daysSinceEpoch: unit.leavesWindow).description,
                    added(unit), story.joined(separator: "; ")]
        }
        print(TextTable(header: ["Unit", "Attributed to", "Leaves window", "Adds", "Events"], rows: rows).rendered)
    }
}

/// How a unit's events read in an explanation.
enum UnitEventDescription {
    static func text(_ fact: UnitEvent.Fact) -> String {
        switch fact {
        case .orderPlaced(let terms): "placed (\(terms.isMerchantFulfilled ? "FBM" : "FBA"))"
        case .orderShipped(let hasTracking): hasTracking ? "shipped with tracking" : "shipped without tracking"
        case .trackingAdded: "tracking added"
        case .carrierScan: "carrier scan"
        case .orderDelivered: "delivered"
        case .orderCancelled(let bySeller): bySeller ? "cancelled by the seller" : "cancelled by the buyer"
        case .feedbackPosted(let feedback, let rating, let order): "feedback \(feedback) rated \(rating) on \(order)"
        case .feedbackRemoved(let feedback, _): "feedback \(feedback) removed"
        case .claimFiled(let claim, let kind, let order): "\(kind == .aToZ ? "A-to-z claim" : "chargeback") \(claim) on \(order)"
        case .claimReversed(let claim, _): "claim \(claim) reversed"
        case .refundIssued: "refund"
        case .surveyAnswered(let solved): solved ? "survey: solved" : "survey: not solved"
        case .buyerMessage(let message): "buyer message \(message)"
        case .sellerReply: "seller reply"
        case .noReplyNeeded: "marked no reply needed"
        case .threadClosed: "thread closed"
        case .returnRequested: "return requested"
        case .returnHandled: "return handled"
        case .returnRejectionInvalid: "rejection ruled invalid"
        case .returnFeedback(let satisfied): satisfied ? "return feedback: satisfied" : "return feedback: not satisfied"
        case .policyViolation: "policy violation"
        }
    }
}
