/// A date on the proleptic Gregorian calendar with no time or zone, and the integer arithmetic period
/// math needs: day numbers counted from 2000-01-01 (day 0), month lengths, weekdays.
public struct CivilDate: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    /// Nil unless `month` is 1–12 and `day` exists in that month.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...12).contains(month), (1...Self.daysIn(year: year, month: month)).contains(day) else {
            return nil
        }
        self.year = year
        self.month = month
        self.day = day
    }

    /// The date `dayNumber` days after 2000-01-01 (before it, if negative).
    public init(dayNumber: Int64) {
        // Howard Hinnant's civil_from_days, shifted to the 2000 epoch (10,957 days after 1970-01-01).
        let days = dayNumber + 10_957 + 719_468
        let era = (days >= 0 ? days : days - 146_096) / 146_097
        let dayOfEra = days - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        self.year = Int(yearOfEra + era * 400 + (month <= 2 ? 1 : 0))
        self.month = Int(month)
        self.day = Int(dayOfYear - (153 * shiftedMonth + 2) / 5 + 1)
    }

    /// Days since 2000-01-01.
    public var dayNumber: Int64 {
        let year = Int64(self.year) - (self.month <= 2 ? 1 : 0)
        let era = (year >= 0 ? year : year - 399) / 400
        let yearOfEra = year - era * 400
        let dayOfYear = (153 * Int64(self.month > 2 ? self.month - 3 : self.month + 9) + 2) / 5 + Int64(self.day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468 - 10_957
    }

    /// ISO weekday: 1 Monday … 7 Sunday (2000-01-01 was a Saturday).
    public var isoWeekday: Int { Int(FloorDivision.modulo(self.dayNumber + 5, 7)) + 1 }

    /// `yyyy-mm-dd`.
    public var description: String {
        func padded(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(padded(self.year, 4))-\(padded(self.month, 2))-\(padded(self.day, 2))"
    }

    public static func daysIn(year: Int, month: Int) -> Int {
        switch month {
        case 2: Self.isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    public static func isLeap(_ year: Int) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    public static func < (lhs: CivilDate, rhs: CivilDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }
}

/// Division that rounds toward negative infinity, so negative day and month numbers land in the right period.
enum FloorDivision {
    static func quotient(_ dividend: Int64, _ divisor: Int64) -> Int64 {
        let quotient = dividend / divisor
        return (dividend % divisor != 0 && (dividend < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }

    static func modulo(_ dividend: Int64, _ divisor: Int64) -> Int64 {
        dividend - Self.quotient(dividend, divisor) * divisor
    }
}
