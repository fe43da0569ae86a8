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

    static func rfc3339(_ date: Date) -> String {
        date.formatted(.iso8601)
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
