import Foundation
import HealthLedgerCore

/// A moment read from a report cell, with the offset to write it back with.
public struct ReportTime: Equatable, Sendable {
    public let instant: Instant
    public let offsetSeconds: Int

    /// RFC 3339, at the offset the report gave (or the seller's, for a local time).
    public var rfc3339: String { instant.rfc3339(offsetSeconds: offsetSeconds) }
}

/// The order of day, month and year in a date written with slashes or dots.
public enum DateOrder: Sendable {
    case monthDayYear, dayMonthYear, yearMonthDay

    /// Amazon's per-marketplace feedback dates (`../shared/amazon-reports.md`): US `%m/%d/%y`,
    /// DE `%d.%m.%y`, JP `%y/%m/%d`, SE `%Y-%m-%d`, the other listed marketplaces `%d/%m/%y`.
    public init?(marketplace: String) {
        switch marketplace.uppercased() {
        case "US": self = .monthDayYear
        case "JP", "SE": self = .yearMonthDay
        case "DE", "UK", "GB", "CA", "FR", "ES", "IT", "NL", "PL", "TR", "AE", "SA", "EG", "IN", "AU", "SG", "BR", "MX", "BE", "IE":
            self = .dayMonthYear
        default: return nil
        }
    }
}

/// Reads the timestamps and dates that report files hold, in the seller's time zone where
/// they carry no offset:
/// - RFC 3339 (`2026-03-01T08:04:21+00:00`), also without seconds (`2020-11-18T23:59Z`) or with
///   a space for the `T`;
/// - a local date and time without offset (`2026-03-01 08:04:21`), in the seller's zone;
/// - a date alone, the start of that day in the seller's zone: ISO (`2026-03-01`) or with
///   slashes or dots in `dateOrder`, with a two- or four-digit year.
public struct ReportTimeReader: Sendable {
    public let timeZone: TimeZone
    public let dateOrder: DateOrder
    private let calendar: Calendar

    public init(timeZone: TimeZone, dateOrder: DateOrder) {
        self.timeZone = timeZone
        self.dateOrder = dateOrder
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        self.calendar = calendar
    }

    public func read(_ text: String) -> ReportTime? {
        let text = text.trimmingWhitespace
        if let date = self.date(text) { return local(date, secondOfDay: 0) }
        var timestamp = text.replacingOccurrences(of: " ", with: "T")
        // Minutes without seconds: add them, so that the strict RFC 3339 reader takes it.
        if let range = timestamp.range(of: #"T\d\d:\d\d(?=[Zz+-]|$)"#, options: .regularExpression) {
            timestamp.insert(contentsOf: ":00", at: range.upperBound)
        }
        if let offset = Self.offset(of: timestamp), let instant = Instant(rfc3339: timestamp) {
            return ReportTime(instant: instant, offsetSeconds: offset)
        }
        return localDateTime(timestamp)
    }

    private func date(_ text: String) -> CivilDate? {
        if let iso = CivilDate(iso: text), text.count == 10 { return iso }
        let parts = text.split(omittingEmptySubsequences: false) { $0 == "/" || $0 == "." }
        guard parts.count == 3, parts.allSatisfy({ !$0.isEmpty && $0.count <= 4 && $0.allSatisfy(\.isASCIIDigit) }) else { return nil }
        let numbers = parts.map { Int($0)! }
        let (year, month, day): (Int, Int, Int) = switch dateOrder {
        case .monthDayYear: (numbers[2], numbers[0], numbers[1])
        case .dayMonthYear: (numbers[2], numbers[1], numbers[0])
        case .yearMonthDay: (numbers[0], numbers[1], numbers[2])
        }
        let fullYear = year < 100 ? 2000 + year : year
        guard (1...12).contains(month), (1...CivilDate.daysIn(month: month, year: fullYear)).contains(day) else { return nil }
        return CivilDate(year: fullYear, month: month, day: day)
    }

    private func localDateTime(_ text: String) -> ReportTime? {
        let pieces = text.split(separator: "T")
        guard pieces.count == 2, let date = CivilDate(iso: String(pieces[0])) else { return nil }
        let clock = pieces[1].split(separator: ":")
        guard (2...3).contains(clock.count), let hour = Int(clock[0]), let minute = Int(clock[1]),
              (0..<24).contains(hour), (0..<60).contains(minute) else { return nil }
        let second = clock.count == 3 ? Int(clock[2]) : 0
        guard let second, (0..<60).contains(second) else { return nil }
        return local(date, secondOfDay: hour * 3600 + minute * 60 + second)
    }

    /// A local wall-clock time in the seller's zone (a time a DST gap skips moves past it).
    private func local(_ date: CivilDate, secondOfDay: Int) -> ReportTime? {
        let components = DateComponents(year: date.year, month: date.month, day: date.day,
                                        hour: secondOfDay / 3600, minute: secondOfDay / 60 % 60, second: secondOfDay % 60)
        guard let moment = calendar.date(from: components) else { return nil }
        let instant = Instant(microseconds: Int64((moment.timeIntervalSince1970 * 1_000_000).rounded()))
        return ReportTime(instant: instant, offsetSeconds: timeZone.secondsFromGMT(for: moment))
    }

    private static func offset(of timestamp: String) -> Int? {
        if timestamp.hasSuffix("Z") || timestamp.hasSuffix("z") { return 0 }
        let suffix = timestamp.suffix(6)
        guard suffix.count == 6, let sign = suffix.first, sign == "+" || sign == "-",
              let hours = Int(suffix.dropFirst().prefix(2)), let minutes = Int(suffix.suffix(2)) else { return nil }
        return (sign == "-" ? -1 : 1) * (hours * 3600 + minutes * 60)
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
