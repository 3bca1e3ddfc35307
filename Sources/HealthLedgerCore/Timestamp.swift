/// An instant in microseconds since 1970-01-01T00:00:00Z. Fractional digits past the
/// sixth are dropped (the contract allows any number; none of its rules needs finer).
public struct Instant: Comparable, Hashable, Sendable {
    public let microseconds: Int64

    public init(microseconds: Int64) { self.microseconds = microseconds }

    public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.microseconds < rhs.microseconds }

    public static let microsecondsPerHour: Int64 = 3_600_000_000

    public func adding(hours: Int64) -> Instant { Instant(microseconds: microseconds + hours * Self.microsecondsPerHour) }

    /// Strict RFC 3339 §5.6 `date-time`: offset required (`Z` or `±HH:MM`, `-00:00` is UTC),
    /// `T` and `Z` in either case, no leap second, a real calendar date.
    public init?(rfc3339 text: String) {
        var text = text
        guard let instant = text.withUTF8(Instant.init(rfc3339UTF8:)) else { return nil }
        self = instant
    }

    /// The same, from the text's UTF-8 bytes.
    public init?(rfc3339UTF8 bytes: UnsafeBufferPointer<UInt8>) {
        var scanner = DigitScanner(bytes)
        guard let year = scanner.digits(4), scanner.skip("-"),
              let month = scanner.digits(2), scanner.skip("-"),
              let day = scanner.digits(2), scanner.skip("T", caseInsensitive: true),
              let hour = scanner.digits(2), scanner.skip(":"),
              let minute = scanner.digits(2), scanner.skip(":"),
              let second = scanner.digits(2)
        else { return nil }
        var fraction: Int64 = 0
        if scanner.skip(".") {
            guard let digits = scanner.fractionMicroseconds() else { return nil }
            fraction = digits
        }
        let offsetMinutes: Int
        if scanner.skip("Z", caseInsensitive: true) {
            offsetMinutes = 0
        } else {
            guard let sign = scanner.sign(), let offsetHour = scanner.digits(2), scanner.skip(":"),
                  let offsetMinute = scanner.digits(2), offsetHour <= 23, offsetMinute <= 59
            else { return nil }
            offsetMinutes = sign * (offsetHour * 60 + offsetMinute)
        }
        // Year 0000 is refused, as by the common RFC 3339 validators.
        guard scanner.atEnd, year > 0,
              (1...12).contains(month), (1...CivilDate.daysIn(month: month, year: year)).contains(day),
              hour <= 23, minute <= 59, second <= 59
        else { return nil }
        let days = Int64(CivilDate(year: year, month: month, day: day).daysSinceEpoch)
        let seconds = days * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offsetMinutes * 60)
        self.microseconds = seconds * 1_000_000 + fraction
    }

    /// `YYYY-MM-DDTHH:MM:SS.ffffffZ`.
    public var rfc3339: String { rfc3339(offsetSeconds: 0, alwaysFraction: true) }

    /// The instant as local time at a UTC offset, with a fraction only when it has one.
    public func rfc3339(offsetSeconds: Int, alwaysFraction: Bool = false) -> String {
        let local = microseconds + Int64(offsetSeconds) * 1_000_000
        let seconds = local.floorDivided(by: 1_000_000)
        let micros = Int(local - seconds * 1_000_000)
        let days = seconds.floorDivided(by: 86_400)
        let secondOfDay = Int(seconds - days * 86_400)
        var text = "\(CivilDate(daysSinceEpoch: Int(days)))T\(pad(secondOfDay / 3600)):\(pad(secondOfDay / 60 % 60)):\(pad(secondOfDay % 60))"
        if micros != 0 || alwaysFraction { text += "." + pad(micros, width: 6) }
        if offsetSeconds == 0 { return text + "Z" }
        let minutes = abs(offsetSeconds) / 60
        return text + (offsetSeconds < 0 ? "-" : "+") + pad(minutes / 60) + ":" + pad(minutes % 60)
    }
}

/// A proleptic Gregorian calendar date, with day arithmetic that needs no `Calendar`.
public struct CivilDate: Comparable, Hashable, Sendable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// `YYYY-MM-DD` with a real calendar date.
    public init?(iso text: String) {
        var text = text
        let parsed = text.withUTF8 { bytes -> CivilDate? in
            var scanner = DigitScanner(bytes)
            guard let year = scanner.digits(4), scanner.skip("-"), let month = scanner.digits(2), scanner.skip("-"),
                  let day = scanner.digits(2), scanner.atEnd,
                  (1...12).contains(month), (1...Self.daysIn(month: month, year: year)).contains(day)
            else { return nil }
            return CivilDate(year: year, month: month, day: day)
        }
        guard let parsed else { return nil }
        self = parsed
    }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    // Howard Hinnant's days_from_civil / civil_from_days.
    public var daysSinceEpoch: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    public init(daysSinceEpoch: Int) {
        let z = daysSinceEpoch + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        self.init(year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month: month, day: day)
    }

    public func adding(days: Int) -> CivilDate { CivilDate(daysSinceEpoch: daysSinceEpoch + days) }

    public static func < (lhs: CivilDate, rhs: CivilDate) -> Bool { lhs.daysSinceEpoch < rhs.daysSinceEpoch }

    public var description: String { "\(pad(year, width: 4))-\(pad(month))-\(pad(day))" }
}

private struct DigitScanner {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var position = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    var atEnd: Bool { position == bytes.count }

    /// Inlined, so that each call's constant count unrolls it: a call of its own for each of a
    /// timestamp's fields took 2.4% of a replay's instructions.
    @inline(__always)
    mutating func digits(_ count: Int) -> Int? {
        guard position + count <= bytes.count else { return nil }
        var value = 0
        for offset in 0..<count {
            let digit = bytes[position + offset] &- UInt8(ascii: "0")
            guard digit <= 9 else { return nil }
            value = value * 10 + Int(digit)
        }
        position += count
        return value
    }

    /// At least one digit; the first six give microseconds.
    mutating func fractionMicroseconds() -> Int64? {
        var value: Int64 = 0
        var count = 0
        while position < bytes.count, bytes[position] >= UInt8(ascii: "0"), bytes[position] <= UInt8(ascii: "9") {
            if count < 6 { value = value * 10 + Int64(bytes[position] - UInt8(ascii: "0")) }
            count += 1
            position += 1
        }
        guard count > 0 else { return nil }
        for _ in count..<max(count, 6) { value *= 10 }
        return value
    }

    @inline(__always)
    mutating func skip(_ character: Unicode.Scalar, caseInsensitive: Bool = false) -> Bool {
        guard position < bytes.count else { return false }
        let byte = bytes[position]
        let expected = UInt8(ascii: character)
        guard byte == expected || (caseInsensitive && byte | 0x20 == expected | 0x20) else { return false }
        position += 1
        return true
    }

    mutating func sign() -> Int? {
        if skip("+") { return 1 }
        if skip("-") { return -1 }
        return nil
    }
}

func pad(_ value: Int, width: Int = 2) -> String {
    let text = String(value)
    return String(repeating: "0", count: max(0, width - text.count)) + text
}

extension Int64 {
    public func floorDivided(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}
