import Foundation

extension PeriodSpec {
    /// Parses the three settings staff give: `--reset-period 7d --anchor "mon 00:00" --timezone Australia/Sydney`.
    /// - Parameters:
    ///   - period: `1d`, `7d`, `14d`, `2w`, `1mo`, `3mo`, `1y` (see ``Length/init(parsing:)``).
    ///   - anchor: nil or blank for the default (see ``init(length:anchor:timeZoneIdentifier:)``).
    ///   - timeZone: an IANA identifier; nil or blank for `UTC`.
    /// - Throws: ``QuotaInputError`` quoting the setting at fault.
    public init(period: String, anchor: String? = nil, timeZone: String? = nil) throws(QuotaInputError) {
        let length = try Length(parsing: period)
        var parsedAnchor: Anchor?
        if let anchor, !QuotaAmount.trimmed(Substring(anchor)).isEmpty {
            let parsed = try Anchor(parsing: anchor)
            if let reason = Self.problem(with: parsed, for: length) {
                throw .invalidAnchor(text: anchor, reason: reason)
            }
            parsedAnchor = parsed
        }
        let zone = timeZone.map { String(QuotaAmount.trimmed(Substring($0))) } ?? ""
        try self.init(length: length, anchor: parsedAnchor, timeZoneIdentifier: zone.isEmpty ? "UTC" : zone)
    }

    static func problem(with length: Length) -> String? {
        switch length {
        case .days(let days) where !(1...Self.maximumDays).contains(days):
            "a period is 1 to \(Self.maximumDays) days"
        case .months(let months) where !(1...Self.maximumMonths).contains(months):
            "a period is 1 to \(Self.maximumMonths) months"
        default: nil
        }
    }

    /// Why `anchor` cannot anchor periods of `length`, or nil if it can.
    static func problem(with anchor: Anchor, for length: Length) -> String? {
        let dateExample = "a start date like \"2025-03-03 00:00\""
        switch (length, anchor) {
        case (_, .date), (.months, .dayOfMonth): return nil
        case (.days(let days), .weekday) where days % 7 != 0:
            return "a weekday anchor needs a period of whole weeks (7d, 14d, 2w); for \(length) give a time like "
                + "\"00:00\" or \(dateExample)"
        case (.days, .weekday): return nil
        case (.days(let days), .timeOfDay) where days % 7 == 0:
            return "a \(length) period needs a weekday, like \"mon 00:00\", or \(dateExample)"
        case (.days, .timeOfDay): return nil
        case (.days, .dayOfMonth):
            return "a day of the month anchors month periods (1mo, 3mo); for \(length) give "
                + (Self.defaultAnchor(for: length) == .timeOfDay(.midnight)
                    ? "a time like \"00:00\"" : "a weekday like \"mon 00:00\"")
        case (.months, _):
            return "a month period needs a day of the month, like \"1 00:00\" or \"31 09:30\", or a start date like "
                + "\"2025-02-24 00:00\""
        }
    }

    /// The zone for `text`, accepting a known identifier in any capitalisation (`australia/sydney`).
    static func resolveTimeZone(_ text: String) throws(QuotaInputError) -> (String, TimeZone) {
        if let zone = TimeZone(identifier: text) { return (text, zone) }
        let known = TimeZone.knownTimeZoneIdentifiers + ["UTC"]
        let lower = text.lowercased()
        if let match = known.first(where: { $0.lowercased() == lower }), let zone = TimeZone(identifier: match) {
            return (match, zone)
        }
        // `Sydney` or `new york`: suggest the identifier whose last part it is, but do not guess.
        let city = lower.replacingOccurrences(of: " ", with: "_")
        let suggestion = known.first { $0.lowercased().hasSuffix("/" + city) }
        throw .unknownTimeZone(text: text, suggestion: suggestion)
    }
}

extension PeriodSpec.Length {
    /// `<n>d`, `<n>w` (7n days), `<n>mo`, `<n>y` (12n months), or the unit spelt out (`7 days`, `1 month`),
    /// in any case. A bare `m` is refused: minutes or months?
    public init(parsing text: String) throws(QuotaInputError) {
        let trimmed = QuotaAmount.trimmed(Substring(text)).lowercased()
        let digits = trimmed.prefix { $0.isASCII && $0.isNumber }
        let unit = QuotaAmount.trimmed(trimmed.dropFirst(digits.count))
        let examples = "use days, weeks or months like \"1d\", \"7d\", \"2w\", \"1mo\" or \"3mo\""
        guard !digits.isEmpty, digits.count <= 4, let count = Int(digits) else {
            throw .invalidPeriod(text: text, reason: examples)
        }
        switch unit {
        case "d", "day", "days": self = .days(count)
        case "w", "wk", "week", "weeks": self = .days(count * 7)
        case "mo", "mon", "month", "months": self = .months(count)
        case "y", "yr", "year", "years": self = .months(count * 12)
        case "m": throw .invalidPeriod(text: text, reason: "write months as \"mo\" (\"\(count)mo\")")
        default: throw .invalidPeriod(text: text, reason: examples)
        }
        if let reason = PeriodSpec.problem(with: self) { throw .invalidPeriod(text: text, reason: reason) }
    }
}

extension PeriodSpec.Anchor {
    /// `mon 00:00`, `monday` (midnight), `00:00`, `1 00:00`, `31 09:30`, `15` (midnight), `2025-03-03 00:00`.
    /// Whether it fits a period length is checked by ``PeriodSpec``.
    public init(parsing text: String) throws(QuotaInputError) {
        let words = text.split(whereSeparator: \.isWhitespace)
        let forms =
            "give a weekday (\"mon 00:00\"), a day of the month (\"1 00:00\"), a start date "
            + "(\"2025-03-03 00:00\") or a time (\"00:00\")"
        guard (1...2).contains(words.count) else { throw .invalidAnchor(text: text, reason: forms) }
        if words.count == 1, words[0].contains(":") {
            self = .timeOfDay(try Self.time(words[0], text: text))
            return
        }
        let time = words.count == 2 ? try Self.time(words[1], text: text) : .midnight
        let first = words[0]
        if let weekday = Weekday(parsing: first) {
            self = .weekday(weekday, time)
        } else if first.count <= 2, first.allSatisfy({ $0.isASCII && $0.isNumber }), let day = Int(first) {
            guard (1...31).contains(day) else {
                throw .invalidAnchor(text: text, reason: "a day of the month is 1 to 31")
            }
            self = .dayOfMonth(day, time)
        } else if first.contains("-") {
            self = .date(try Self.date(first, text: text), time)
        } else {
            throw .invalidAnchor(text: text, reason: forms)
        }
    }

    private static func time(_ word: Substring, text: String) throws(QuotaInputError) -> TimeOfDay {
        guard let time = TimeOfDay(parsing: word) else {
            throw .invalidAnchor(
                text: text,
                reason: "\"\(word)\" is not a time of day; use 24-hour HH:MM, like \"09:30\""
            )
        }
        return time
    }

    private static func date(_ word: Substring, text: String) throws(QuotaInputError) -> CivilDate {
        let parts = word.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
            (1900...2399).contains(year), let date = CivilDate(year: year, month: month, day: day)
        else {
            throw .invalidAnchor(text: text, reason: "\"\(word)\" is not a date between 1900 and 2399 as YYYY-MM-DD")
        }
        return date
    }
}
