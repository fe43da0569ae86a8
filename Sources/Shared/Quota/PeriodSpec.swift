import Foundation

/// When a course's allowance resets: every n days or n months, at an anchor, in a time zone
/// (`--reset-period 7d --anchor "mon 00:00" --timezone Australia/Sydney`).
///
/// Boundaries are wall-clock times in the zone: Monday 00:00 in Sydney stays Monday 00:00 across daylight
/// saving, so such a week lasts 167 or 169 hours. A month anchor past the end of a short month (29–31) falls
/// on its last day. A wall time the clock skips begins the period when the clock jumps past it (02:30 on the
/// spring-forward night starts at 03:30); one it repeats begins at the first of the two.
///
/// **Period index.** Index 0 is the first period that starts on or after 2000-01-01 in the zone, and each
/// period after it is one more (those before, one less). Day periods step in whole local days from their
/// phase day, month periods in whole months from their phase month, so the index is pure calendar
/// arithmetic: the same on every machine and unchanged by daylight saving.
///
/// The spec is immutable and caches its `Calendar`; ``window(containing:)`` costs about a microsecond.
public struct PeriodSpec: Sendable {
    /// How long a period is, in whole local days or whole months.
    public enum Length: Sendable, Hashable, CustomStringConvertible {
        case days(Int)
        case months(Int)

        /// `7d`, `3mo`.
        public var description: String {
            switch self {
            case .days(let days): "\(days)d"
            case .months(let months): "\(months)mo"
            }
        }
    }

    /// Where periods begin.
    public enum Anchor: Sendable, Hashable, CustomStringConvertible {
        /// Day periods of whole weeks: this weekday at this time (`mon 00:00`).
        case weekday(Weekday, TimeOfDay)
        /// Day periods that are not whole weeks: this time, with 2000-01-01 a boundary day (`00:00`).
        case timeOfDay(TimeOfDay)
        /// Month periods: this day of the month (1–31, clamped to the month's last day) at this time
        /// (`1 00:00`, `31 09:30`), with January 2000 a boundary month.
        case dayOfMonth(Int, TimeOfDay)
        /// Either kind: a boundary falls at this date and time, and every period before and after follows
        /// from it (`2025-03-03 00:00`). Fixes which weeks a fortnight or which months a quarter starts on.
        case date(CivilDate, TimeOfDay)

        public var description: String {
            switch self {
            case .weekday(let weekday, let time): "\(weekday) \(time)"
            case .timeOfDay(let time): "\(time)"
            case .dayOfMonth(let day, let time): "\(day) \(time)"
            case .date(let date, let time): "\(date) \(time)"
            }
        }

        public var time: TimeOfDay {
            switch self {
            case .weekday(_, let time), .timeOfDay(let time), .dayOfMonth(_, let time), .date(_, let time): time
            }
        }
    }

    public static let maximumDays = 366
    public static let maximumMonths = 12

    public let length: Length
    public let anchor: Anchor
    /// The IANA identifier, as given (or with its canonical capitalisation); `UTC` by default.
    public let timeZoneIdentifier: String

    let timeZone: TimeZone
    let calendar: Calendar
    /// Days or months per period.
    let step: Int64
    /// The first boundary's day number (day periods) or month number (month periods, 0 = January 2000),
    /// in `0..<step`.
    let phase: Int64
    /// Month periods: the anchor's day of the month.
    let dayOfMonth: Int
    /// Indexes whose periods start between 1900 and 2400 local time; others are clamped to these.
    let indexBounds: ClosedRange<Int64>
    /// Names how indexes count (`d7+2`: 7-day periods whose boundary days are 2 mod 7). Two specs with the same
    /// one number the same periods alike, whatever their time of day or zone; a balance kept under another
    /// counts other periods.
    public let indexSpace: String

    /// - Parameters:
    ///   - anchor: nil for the default: `mon 00:00` for whole weeks, `00:00` for other day periods,
    ///     `1 00:00` for months.
    /// - Throws: ``QuotaInputError`` naming a length out of range (1–366 days, 1–12 months), an anchor that does
    ///   not fit the length, or an unknown time zone.
    public init(length: Length, anchor: Anchor? = nil, timeZoneIdentifier: String = "UTC") throws(QuotaInputError) {
        let anchor = anchor ?? Self.defaultAnchor(for: length)
        if let reason = Self.problem(with: length) { throw .invalidPeriod(text: length.description, reason: reason) }
        if let reason = Self.problem(with: anchor, for: length) {
            throw .invalidAnchor(text: anchor.description, reason: reason)
        }
        let (identifier, timeZone) = try Self.resolveTimeZone(timeZoneIdentifier)
        self.length = length
        self.anchor = anchor
        self.timeZoneIdentifier = identifier
        self.timeZone = timeZone
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        self.calendar = calendar
        (self.step, self.phase, self.dayOfMonth) = Self.arithmetic(length, anchor)
        self.indexBounds = Self.indexBounds(length: length, step: self.step, phase: self.phase)
        let unit = if case .days = length { "d" } else { "mo" }
        self.indexSpace = "\(unit)\(self.step)+\(self.phase)"
    }

    static func defaultAnchor(for length: Length) -> Anchor {
        switch length {
        case .days(let days) where days % 7 == 0: .weekday(.monday, .midnight)
        case .days: .timeOfDay(.midnight)
        case .months: .dayOfMonth(1, .midnight)
        }
    }

    /// Step, phase and day of month for the window arithmetic.
    private static func arithmetic(_ length: Length, _ anchor: Anchor) -> (Int64, Int64, Int) {
        switch (length, anchor) {
        case (.days(let days), .weekday(let weekday, _)):
            // Day 0 (2000-01-01) was a Saturday, ISO 6.
            return (Int64(days), FloorDivision.modulo(Int64(weekday.rawValue) - 6, 7), 1)
        case (.days(let days), .date(let date, _)):
            return (Int64(days), FloorDivision.modulo(date.dayNumber, Int64(days)), 1)
        case (.days(let days), _):
            return (Int64(days), 0, 1)
        case (.months(let months), .date(let date, _)):
            let month = Int64(date.year - 2000) * 12 + Int64(date.month - 1)
            return (Int64(months), FloorDivision.modulo(month, Int64(months)), date.day)
        case (.months(let months), .dayOfMonth(let day, _)):
            return (Int64(months), 0, day)
        case (.months(let months), _):
            return (Int64(months), 0, 1)
        }
    }

    private static func indexBounds(length: Length, step: Int64, phase: Int64) -> ClosedRange<Int64> {
        let (first, last): (Int64, Int64) =
            switch length {
            case .days:
                (CivilDate(year: 1900, month: 1, day: 1)!.dayNumber, CivilDate(year: 2400, month: 1, day: 1)!.dayNumber)
            case .months: (-100 * 12, 400 * 12)
            }
        return -FloorDivision.quotient(phase - first, step)...(FloorDivision.quotient(last - phase, step) - 1)
    }
}

// MARK: - Equality: the calendar and zone follow from the three fields

extension PeriodSpec: Hashable {
    public static func == (lhs: PeriodSpec, rhs: PeriodSpec) -> Bool {
        lhs.length == rhs.length && lhs.anchor == rhs.anchor && lhs.timeZoneIdentifier == rhs.timeZoneIdentifier
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(self.length)
        hasher.combine(self.anchor)
        hasher.combine(self.timeZoneIdentifier)
    }
}

extension PeriodSpec: CustomStringConvertible {
    /// `7d from mon 00:00 Australia/Sydney`.
    public var description: String { "\(self.length) from \(self.anchor) \(self.timeZoneIdentifier)" }
}
