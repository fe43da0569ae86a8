import Foundation

extension PeriodSpec {
    /// The period `instant` falls in; an instant exactly on a boundary starts the new period.
    ///
    /// Instants before 1900 or after 2399 (local) get the first or last supported period.
    public func window(containing instant: Date) -> PeriodWindow {
        var index = self.estimatedIndex(of: instant)
        var start = self.start(ofPeriod: index)
        while start > instant && index > self.indexBounds.lowerBound {
            index -= 1
            start = self.start(ofPeriod: index)
        }
        var end = self.start(ofPeriod: index + 1)
        while end <= instant && index < self.indexBounds.upperBound {
            index += 1
            start = end
            end = self.start(ofPeriod: index + 1)
        }
        return PeriodWindow(index: index, start: start, end: end)
    }

    /// The period with this index; `window(index: w.index + 1).start == w.end`.
    ///
    /// An index whose period would start before 1900 or after 2399 is clamped (the result's `index` says so).
    public func window(index: Int64) -> PeriodWindow {
        let index = min(max(index, self.indexBounds.lowerBound), self.indexBounds.upperBound)
        return PeriodWindow(index: index, start: self.start(ofPeriod: index), end: self.start(ofPeriod: index + 1))
    }

    // MARK: - Arithmetic

    private static let unixSecondsAt2000: Int64 = 946_684_800

    /// The boundary that starts period `index`: its local date by integer arithmetic, then the anchor's time
    /// on that date in the zone.
    func start(ofPeriod index: Int64) -> Date {
        let offset = self.phase + index * self.step
        switch self.length {
        case .days:
            return self.instant(CivilDate(dayNumber: offset), self.anchor.time)
        case .months:
            let year = 2000 + Int(FloorDivision.quotient(offset, 12))
            let month = Int(FloorDivision.modulo(offset, 12)) + 1
            let day = min(self.dayOfMonth, CivilDate.daysIn(year: year, month: month))
            return self.instant(CivilDate(year: year, month: month, day: day)!, self.anchor.time)
        }
    }

    /// `time` on `date` in the zone; a skipped time resolves after the gap, a repeated one to its first
    /// occurrence (Foundation's rules).
    private func instant(_ date: CivilDate, _ time: TimeOfDay) -> Date {
        let components = DateComponents(
            year: date.year,
            month: date.month,
            day: date.day,
            hour: time.hour,
            minute: time.minute
        )
        if let instant = self.calendar.date(from: components) { return instant }
        // Not expected within 1900–2400; fall back to the zone's offset near that wall time.
        let wall = Double((date.dayNumber * 86_400) + time.secondsIntoDay + Self.unixSecondsAt2000)
        let offset = self.timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: wall))
        return Date(timeIntervalSince1970: wall - Double(offset))
    }

    /// The index of the period `instant` is in, from its local date and time; off by one at most when the anchor
    /// time is inside a clock change, which ``window(containing:)`` then corrects.
    private func estimatedIndex(of instant: Date) -> Int64 {
        let unixSeconds = instant.timeIntervalSince1970
        let bound = 16_000_000_000.0  // beyond 2400; keeps the conversion to Int64 safe
        let clamped = unixSeconds.isNaN ? 0 : min(max(unixSeconds, -bound), bound)
        let local =
            Int64(clamped.rounded(.down)) - Self.unixSecondsAt2000
            + Int64(self.timeZone.secondsFromGMT(for: instant))
        let day = FloorDivision.quotient(local, 86_400)
        let secondsIntoDay = local - day * 86_400
        let index: Int64
        switch self.length {
        case .days:
            let sinceFirst = day - self.phase
            let beforeTime =
                FloorDivision.modulo(sinceFirst, self.step) == 0 && secondsIntoDay < self.anchor.time.secondsIntoDay
            index = FloorDivision.quotient(sinceFirst, self.step) - (beforeTime ? 1 : 0)
        case .months:
            let date = CivilDate(dayNumber: day)
            let sinceFirst = Int64(date.year - 2000) * 12 + Int64(date.month - 1) - self.phase
            let boundaryDay = min(self.dayOfMonth, CivilDate.daysIn(year: date.year, month: date.month))
            let beforeBoundary = (date.day, secondsIntoDay) < (boundaryDay, self.anchor.time.secondsIntoDay)
            let isBoundaryMonth = FloorDivision.modulo(sinceFirst, self.step) == 0
            index = FloorDivision.quotient(sinceFirst, self.step) - (isBoundaryMonth && beforeBoundary ? 1 : 0)
        }
        return min(max(index, self.indexBounds.lowerBound), self.indexBounds.upperBound)
    }
}
