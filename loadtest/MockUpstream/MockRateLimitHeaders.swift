import Foundation
import HTTPTypes
import Hummingbird
import Synchronization

/// The rate-limit and organization headers the real API puts on every response (anthropic-wire.md §1.4).
///
/// The set only changes once a second (its reset times), so it is rendered once per second and
/// copied for each response.
final class MockRateLimitHeaders: Sendable {
    static let organizationID = "6f1e4a2c-9b3d-4c5e-8a7f-0d1e2f3a4b5c"
    private let cache = Mutex<(second: Int, fields: HTTPFields)>((-1, [:]))

    /// The headers for a response sent now.
    func current() -> HTTPFields {
        let second = Int(Date().timeIntervalSince1970)
        return self.cache.withLock { cache in
            if cache.second != second {
                cache = (second, Self.render(second: second))
            }
            return cache.fields
        }
    }

    static func render(second: Int) -> HTTPFields {
        var fields = HTTPFields()
        fields[MockHeaderName.organizationID] = Self.organizationID
        let families: [(name: String, limit: String, remaining: String, resetIn: Int)] = [
            ("requests", "4000", "3999", 1),
            ("tokens", "2000000", "1999000", 1),
            ("input-tokens", "1600000", "1599000", 1),
            ("output-tokens", "400000", "400000", 1),
        ]
        for family in families {
            let prefix = "anthropic-ratelimit-" + family.name
            fields[HTTPField.Name(prefix + "-limit")!] = family.limit
            fields[HTTPField.Name(prefix + "-remaining")!] = family.remaining
            fields[HTTPField.Name(prefix + "-reset")!] = rfc3339(epochSeconds: second + family.resetIn)
        }
        return fields
    }
}

/// Formats a UTC timestamp as RFC 3339 (`2025-02-24T22:25:32Z`) without a `DateFormatter`.
func rfc3339(epochSeconds: Int) -> String {
    let days = epochSeconds >= 0 ? epochSeconds / 86_400 : (epochSeconds - 86_399) / 86_400
    let secondOfDay = epochSeconds - days * 86_400
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let dayOfEra = z - era * 146_097
    let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
    let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
    let shiftedMonth = (5 * dayOfYear + 2) / 153
    let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
    let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
    let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    func pad(_ value: Int, _ width: Int = 2) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
    let time = pad(secondOfDay / 3600) + ":" + pad(secondOfDay / 60 % 60) + ":" + pad(secondOfDay % 60)
    return pad(year, 4) + "-" + pad(month) + "-" + pad(day) + "T" + time + "Z"
}
