import Foundation

/// One allowance period: `[start, end)`. An instant exactly at `end` belongs to the next period.
public struct PeriodWindow: Sendable, Hashable {
    /// Periods since the policy's first boundary on or after 2000-01-01 (see ``PeriodSpec``): +1 per period,
    /// the same on every machine, so Redis compares it to roll a balance over.
    public var index: Int64
    public var start: Date
    public var end: Date

    public init(index: Int64, start: Date, end: Date) {
        self.index = index
        self.start = start
        self.end = end
    }

    /// Whether `instant` falls in this period (start inclusive, end exclusive).
    public func contains(_ instant: Date) -> Bool {
        self.start <= instant && instant < self.end
    }

    /// Wall time from start to end: 167 or 169 hours for a week across a clock change.
    public var duration: TimeInterval { self.end.timeIntervalSince(self.start) }
}
