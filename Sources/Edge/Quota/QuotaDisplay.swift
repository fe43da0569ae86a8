import Foundation
import Shared

/// How allowance amounts and times are written for students.
enum QuotaDisplay {
    /// Whole weighted tokens (rounded down) for a token allowance, dollars with cents for a USD one.
    static func amount(_ amount: Int64, unit: QuotaUnit) -> String {
        switch unit {
        case .tokens: String(amount / 1000)
        case .usd: "$" + String(format: "%.2f", Double(amount) / Double(Money.picoDollarsPerDollar))
        }
    }

    static func unitName(_ unit: QuotaUnit) -> String {
        switch unit {
        case .tokens: "tokens"
        case .usd: "USD"
        }
    }

    /// `2026-11-24T00:00:00Z`: what `Date.formatted(.iso8601)` writes, without its cost on every response.
    static func rfc3339(_ date: Date) -> String {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        let (days, secondOfDay) = seconds.quotientAndRemainder(dividingBy: 86_400)
        let (dayNumber, second) = secondOfDay < 0 ? (days - 1, secondOfDay + 86_400) : (days, secondOfDay)
        let (year, month, day) = self.civilDate(daysSince1970: dayNumber)
        return "\(year)-\(self.twoDigits(month))-\(self.twoDigits(day))T\(self.twoDigits(second / 3600))"
            + ":\(self.twoDigits(second / 60 % 60)):\(self.twoDigits(second % 60))Z"
    }

    /// The proleptic Gregorian date of a day number (Howard Hinnant's `civil_from_days`).
    private static func civilDate(daysSince1970: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let shifted = daysSince1970 + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static func twoDigits(_ value: Int64) -> String {
        value < 10 ? "0\(value)" : String(value)
    }

    /// `Mon 24 Nov 00:00` in the course's time zone.
    static func localTime(_ date: Date, timeZone identifier: String) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: identifier) ?? TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE d MMM HH:mm"
        return formatter.string(from: date)
    }
}
