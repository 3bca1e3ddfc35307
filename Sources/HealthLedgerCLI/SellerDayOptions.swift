import ArgumentParser
import HealthLedgerCore
import HealthLedgerStore

/// `--seller S [--as-of DATE]`, for the commands that read one seller as of one day.
struct SellerDayOptions: ParsableArguments {
    @Option(help: "The seller id.")
    var seller: String

    @Option(help: "The day, YYYY-MM-DD. Default: today in the seller's time zone.")
    var asOf: String?

    func validate() throws {
        if let asOf, CivilDate(iso: asOf) == nil { throw ValidationError("--as-of must be a date like 2026-03-31.") }
    }

    /// The seller's settings, and the day: the one given, or today in the seller's time zone.
    func resolve(in log: EventLog) throws -> (settings: SellerSettings, day: CivilDate) {
        let settings = try log.settings(of: seller)
        return (settings, settings.day(asOf: asOf))
    }
}

extension MetricCatalog {
    /// The index of a metric id given on the command line, or a usage error listing the ids.
    static func index(ofOption id: String) throws -> Int {
        guard let index = all.firstIndex(where: { $0.id == id }) else {
            throw ValidationError("Unknown metric \(id); the metrics are: \(all.map(\.id).joined(separator: ", ")).")
        }
        return index
    }
}
