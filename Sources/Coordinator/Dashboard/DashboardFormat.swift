import Foundation
import Shared

/// How the dashboard (and the staff command line's tables) write numbers and times: short for reading (`1.2M`, `$3.40`, `2026-11-23 14:05`),
/// with the exact figure kept beside it in a `data-value` attribute for sorting and checking.
enum DashboardFormat {
    static func tokens(_ count: Int64) -> String {
        switch count.magnitude {
        case ..<1_000: String(count)
        case ..<1_000_000: Self.oneDecimal(Double(count) / 1_000) + "k"
        case ..<1_000_000_000: Self.oneDecimal(Double(count) / 1_000_000) + "M"
        default: Self.oneDecimal(Double(count) / 1_000_000_000) + "B"
        }
    }

    static func usd(_ picoDollars: Int64) -> String {
        let cents = (picoDollars + 5_000_000_000) / 10_000_000_000
        return "$\(cents / 100).\(String(format: "%02d", cents % 100))"
    }

    /// An amount in a policy's unit (milli-tokens or pico-dollars), short.
    static func amount(_ value: Int64, kind: QuotaAmount.Kind) -> String {
        kind == .usd ? Self.usd(value) : Self.tokens(value / 1000)
    }

    static func percent(_ part: Int64, of whole: Int64) -> String {
        guard whole > 0 else { return "—" }
        return Self.oneDecimal(Double(part) * 100 / Double(whole)) + "%"
    }

    /// A time in the course's time zone, to the minute.
    static func time(_ date: Date, in timeZone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return String(format: "%04d-%02d-%02d %02d:%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0, parts.hour ?? 0, parts.minute ?? 0)
    }

    /// A time Postgres gave as `extract(epoch FROM …)`: seconds since 1970, with a fraction.
    static func date(epoch text: String?) -> Date? {
        guard let text, let seconds = Double(text) else { return nil }
        return Date(timeIntervalSince1970: seconds)
    }

    private static func oneDecimal(_ value: Double) -> String {
        let text = String(format: "%.1f", value)
        return text.hasSuffix(".0") ? String(text.dropLast(2)) : text
    }
}
