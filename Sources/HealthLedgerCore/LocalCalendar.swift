import Foundation
import Synchronization

/// A seller's calendar days: local dates in one fixed time zone, never the machine's.
/// A day is counted in days since 1970-01-01 (`CivilDate.daysSinceEpoch`).
public struct LocalCalendar: Sendable {
    /// The zone's table, which `ZoneOffsets.of` keeps for the life of the process, so calendars
    /// refer to it without counting references: every core copies calendars and reads their
    /// tables at once, and each count taken had the cores take turns at the table's one shared
    /// count (ops/BENCHMARKS.md, session 11).
    private let table: Unmanaged<ZoneOffsets>

    public init(timeZone: TimeZone) {
        table = Unmanaged.passUnretained(ZoneOffsets.of(timeZone))
    }

    public static let utc = LocalCalendar(timeZone: TimeZone(identifier: "UTC")!)

    /// `day(t)`: the local date of `t`.
    public func day(of instant: Instant) -> Int {
        let seconds = instant.microseconds.floorDivided(by: 1_000_000)
        return Int((seconds + table._withUnsafeGuaranteedRef { $0.offset(at: seconds) }).floorDivided(by: 86_400))
    }

    /// The end of day `day`: the instant the next local day starts (its first midnight, or the
    /// transition where a DST gap skips midnight). An event belongs to `day` when strictly before.
    public func end(of day: Int) -> Instant {
        Instant(microseconds: table._withUnsafeGuaranteedRef { $0.start(of: day + 1) } * 1_000_000)
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

/// A time zone's offsets from UTC as a table of its transitions, read without ICU and without a
/// lock: `TimeZone` takes a lock for each offset it looks up, and the replay's cores look up
/// every event's day and every change day's end at once.
final class ZoneOffsets: Sendable {
    /// The UTC seconds at which the offset changes, ascending.
    private let transitions: [Int64]
    /// `offsets[i]` is in force before `transitions[i]` (and after the one before it); the last after the last.
    private let offsets: [Int64]
    /// For each UTC day of the covered years, the segment in force at its first second: a time's
    /// segment is a step or two from its day's, where a binary search of every transition took
    /// 3% of a replay's fold. A zone has a few transitions a year, so the indexes fit.
    private let segmentsByDay: [UInt16]

    /// The years the table covers; times outside them ask `TimeZone` (and `Calendar`) directly.
    static let coveredSeconds: Range<Int64> = -2_208_988_800..<7_258_118_400  // 1900 to 2200
    private let zone: TimeZone

    private init(_ zone: TimeZone) {
        self.zone = zone
        var transitions: [Int64] = []
        var offsets = [Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(Self.coveredSeconds.lowerBound))))]
        var date = Date(timeIntervalSince1970: TimeInterval(Self.coveredSeconds.lowerBound))
        while let next = zone.nextDaylightSavingTimeTransition(after: date), next.timeIntervalSince1970 < TimeInterval(Self.coveredSeconds.upperBound) {
            let offset = Int64(zone.secondsFromGMT(for: next))
            if offset != offsets.last {
                transitions.append(Int64(next.timeIntervalSince1970.rounded(.down)))
                offsets.append(offset)
            }
            date = next
        }
        self.transitions = transitions
        self.offsets = offsets
        var segment = 0
        segmentsByDay = stride(from: Self.coveredSeconds.lowerBound, to: Self.coveredSeconds.upperBound, by: 86_400).map { dayStart in
            while segment < transitions.count, transitions[segment] <= dayStart { segment += 1 }
            return UInt16(segment)
        }
    }

    private static let built = Mutex<[String: ZoneOffsets]>([:])

    /// One table a zone, built the first time the zone is asked for and kept.
    static func of(_ zone: TimeZone) -> ZoneOffsets {
        built.withLock { tables in
            if let table = tables[zone.identifier] { return table }
            let table = ZoneOffsets(zone)
            tables[zone.identifier] = table
            return table
        }
    }

    /// The offset in force at `second` (UTC seconds).
    func offset(at second: Int64) -> Int64 {
        guard Self.coveredSeconds.contains(second) else { return Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(second)))) }
        return offsets[segment(holding: second)]
    }

    /// The index of the offset in force at `second`, a covered second: how many transitions are
    /// at or before it.
    private func segment(holding second: Int64) -> Int {
        var segment = Int(segmentsByDay[Int((second - Self.coveredSeconds.lowerBound) / 86_400)])
        while segment < transitions.count, transitions[segment] <= second { segment += 1 }
        return segment
    }

    /// The UTC second at which local day `day` starts: the first whose local time is at or
    /// after its midnight (a gap may skip midnight). Within one offset local time only moves
    /// forward, so each segment's first such second is its start or midnight minus its offset,
    /// and the first segment that has one holds the answer.
    func start(of day: Int) -> Int64 {
        let midnight = Int64(day) * 86_400
        // No offset is a day and a half from UTC.
        let earliest = midnight - 129_600
        guard Self.coveredSeconds.contains(earliest), Self.coveredSeconds.contains(midnight + 129_600) else { return calendarStart(of: day) }
        var index = segment(holding: earliest)
        while true {
            let candidate = max(index == 0 ? earliest : max(earliest, transitions[index - 1]), midnight - offsets[index])
            if index == transitions.count || candidate < transitions[index] { return candidate }
            index += 1
        }
    }

    private func calendarStart(of day: Int) -> Int64 {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let date = CivilDate(daysSinceEpoch: day)
        // Noon is never skipped; the start of its day is the first instant of the local date.
        let noon = calendar.date(from: DateComponents(year: date.year, month: date.month, day: date.day, hour: 12))!
        return Int64(calendar.startOfDay(for: noon).timeIntervalSince1970.rounded(.down))
    }
}
