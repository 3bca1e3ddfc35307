import Foundation

/// A seller's calendar days: local dates in one fixed time zone, never the machine's.
/// A day is counted in days since 1970-01-01 (`CivilDate.daysSinceEpoch`).
public struct LocalCalendar: Sendable {
    public let timeZone: TimeZone
    private let calendar: Calendar
    private let ends = EndOfDayCache()

    public init(timeZone: TimeZone) {
        self.timeZone = timeZone
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        self.calendar = calendar
    }

    public static let utc = LocalCalendar(timeZone: TimeZone(identifier: "UTC")!)

    /// `day(t)`: the local date of `t`.
    public func day(of instant: Instant) -> Int {
        let seconds = instant.microseconds.floorDivided(by: 1_000_000)
        let offset = Int64(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(seconds))))
        return Int((seconds + offset).floorDivided(by: 86_400))
    }

    /// The end of day `day`: the instant the next local day starts (its first midnight, or the
    /// transition where a DST gap skips midnight). An event belongs to `day` when strictly before.
    public func end(of day: Int) -> Instant {
        ends.value(for: day) { computeEnd(of: $0) }
    }

    private func computeEnd(of day: Int) -> Instant {
        let next = CivilDate(daysSinceEpoch: day + 1)
        // Noon is never skipped; the start of its day is the first instant of the local date.
        let noon = calendar.date(from: DateComponents(year: next.year, month: next.month, day: next.day, hour: 12))!
        let start = calendar.startOfDay(for: noon)
        return Instant(microseconds: Int64((start.timeIntervalSince1970 * 1_000_000).rounded()))
    }

    /// 0 = Sunday … 6 = Saturday.
    public static func weekday(of day: Int) -> Int { ((day + 4) % 7 + 7) % 7 }

    public static func isBusinessDay(_ day: Int) -> Bool { (1...5).contains(weekday(of: day)) }

    /// The day reached by `count` next-business-day steps from `day` (`count` 0 is `day` itself).
    public static func adding(businessDays count: Int, to day: Int) -> Int {
        var result = day
        for _ in 0..<count {
            result += 1
            while !isBusinessDay(result) { result += 1 }
        }
        return result
    }
}

/// Days' ends, computed once: `Calendar` is slow and the same days recur for every unit.
private final class EndOfDayCache: @unchecked Sendable {
    private let lock = NSLock()
    private var ends: [Int: Instant] = [:]

    func value(for day: Int, _ compute: (Int) -> Instant) -> Instant {
        if let end = lock.withLock({ ends[day] }) { return end }
        let end = compute(day)
        lock.withLock { ends[day] = end }
        return end
    }
}
