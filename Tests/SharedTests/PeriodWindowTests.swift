import Foundation
import Shared
import Testing

@Suite struct PeriodWindowTests {
    static func spec(_ period: String, _ anchor: String?, _ zone: String) -> PeriodSpec {
        try! PeriodSpec(period: period, anchor: anchor, timeZone: zone)
    }

    /// Each row: period, anchor and zone; an instant; and the period it must fall in, as local wall times with
    /// their offsets; and its length in hours.
    @Test(arguments: [
        // A week in Sydney across the end of daylight saving (first Sunday of April) is 169 hours…
        ("7d, mon 00:00, Australia/Sydney", "2024-04-07 12:00+10", "2024-04-01 00:00+11", "2024-04-08 00:00+10", 169.0),
        // …and across its start (first Sunday of October) 167.
        ("7d, mon 00:00, Australia/Sydney", "2024-10-06 12:00+11", "2024-09-30 00:00+10", "2024-10-07 00:00+11", 167),
        ("7d, mon 00:00, Australia/Sydney", "2025-04-06 02:30+10", "2025-03-31 00:00+11", "2025-04-07 00:00+10", 169),
        // Berlin: last Sunday of March and of October.
        ("7d, mon 00:00, Europe/Berlin", "2024-03-31 12:00+02", "2024-03-25 00:00+01", "2024-04-01 00:00+02", 167),
        ("7d, mon 00:00, Europe/Berlin", "2024-10-27 02:30+01", "2024-10-21 00:00+02", "2024-10-28 00:00+01", 169),
        // Days of 23 and 25 hours.
        ("1d, 00:00, Australia/Sydney", "2024-10-06 12:00+11", "2024-10-06 00:00+10", "2024-10-07 00:00+11", 23),
        ("1d, 00:00, Australia/Sydney", "2024-04-07 12:00+10", "2024-04-07 00:00+11", "2024-04-08 00:00+10", 25),
        // An anchor the clock skips (02:30 on the spring-forward night) starts the period at 03:30…
        ("1d, 02:30, Australia/Sydney", "2024-10-06 03:10+11", "2024-10-05 02:30+10", "2024-10-06 03:30+11", 24),
        ("1d, 02:30, Australia/Sydney", "2024-10-06 03:30+11", "2024-10-06 03:30+11", "2024-10-07 02:30+11", 23),
        ("1d, 02:30, Europe/Berlin", "2024-03-31 03:00+02", "2024-03-30 02:30+01", "2024-03-31 03:30+02", 24),
        ("7d, sun 02:30, Australia/Sydney", "2024-10-06 03:15+11", "2024-09-29 02:30+10", "2024-10-06 03:30+11", 168),
        // …and one it repeats (02:30 on the fall-back night) at its first occurrence.
        ("1d, 02:30, Australia/Sydney", "2024-04-07 02:10+11", "2024-04-06 02:30+11", "2024-04-07 02:30+11", 24),
        ("1d, 02:30, Australia/Sydney", "2024-04-07 02:10+10", "2024-04-07 02:30+11", "2024-04-08 02:30+10", 25),
        ("1d, 02:30, Europe/Berlin", "2024-10-27 02:40+01", "2024-10-27 02:30+02", "2024-10-28 02:30+01", 25),
        // Lord Howe Island moves its clocks by half an hour.
        ("1d, 02:00, Australia/Lord_Howe", "2024-10-06 12:00+11", "2024-10-06 02:30+11", "2024-10-07 02:00+11", 23.5),
        // Month ends: a 31st anchor falls on the last day of shorter months, leap years included.
        ("1mo, 31 09:30, UTC", "2024-02-15 00:00Z", "2024-01-31 09:30Z", "2024-02-29 09:30Z", 29 * 24),
        ("1mo, 31 09:30, UTC", "2024-03-01 00:00Z", "2024-02-29 09:30Z", "2024-03-31 09:30Z", 31 * 24),
        ("1mo, 31 09:30, UTC", "2025-02-28 09:29:59Z", "2025-01-31 09:30Z", "2025-02-28 09:30Z", 28 * 24),
        ("1mo, 31 09:30, UTC", "2025-02-28 09:30Z", "2025-02-28 09:30Z", "2025-03-31 09:30Z", 31 * 24),
        ("1mo, 31 09:30, UTC", "2025-04-30 12:00Z", "2025-04-30 09:30Z", "2025-05-31 09:30Z", 31 * 24),
        ("1mo, 31 09:30, UTC", "2100-02-20 00:00Z", "2100-01-31 09:30Z", "2100-02-28 09:30Z", 28 * 24),
        ("1mo, 31 09:30, UTC", "2000-02-29 12:00Z", "2000-02-29 09:30Z", "2000-03-31 09:30Z", 31 * 24),
        ("1mo, 30 00:00, UTC", "2024-03-01 00:00Z", "2024-02-29 00:00Z", "2024-03-30 00:00Z", 30 * 24),
        ("1mo, 29 00:00, UTC", "2023-03-01 00:00Z", "2023-02-28 00:00Z", "2023-03-29 00:00Z", 29 * 24),
        ("1mo, 31 00:00, Australia/Sydney", "2024-04-15 00:00+10", "2024-03-31 00:00+11", "2024-04-30 00:00+10", 721),
        ("1mo, 1 00:00, Europe/Berlin", "2024-03-31 12:00+02", "2024-03-01 00:00+01", "2024-04-01 00:00+02", 743),
        // Several months: the phase comes from January 2000, or from a start date.
        ("3mo, 1 00:00, UTC", "2024-05-15 00:00Z", "2024-04-01 00:00Z", "2024-07-01 00:00Z", 91 * 24),
        ("3mo, 2025-02-15 00:00, UTC", "2025-01-01 00:00Z", "2024-11-15 00:00Z", "2025-02-15 00:00Z", 92 * 24),
        ("1y, 2025-02-24 00:00, UTC", "2030-01-01 00:00Z", "2029-02-24 00:00Z", "2030-02-24 00:00Z", 365 * 24),
        // A fortnight fixed by a start date, across the end of daylight saving.
        ("2w, 2025-03-03, Australia/Sydney", "2025-03-16 23:59+11", "2025-03-03 00:00+11", "2025-03-17 00:00+11", 336),
        ("14d, 2025-03-03, Australia/Sydney", "2025-04-13 12:00+10", "2025-03-31 00:00+11", "2025-04-14 00:00+10", 337),
        // Year ends and leap days.
        ("7d, mon 00:00, UTC", "2024-12-31 12:00Z", "2024-12-30 00:00Z", "2025-01-06 00:00Z", 168),
        ("1d, 00:00, UTC", "2024-02-29 12:00Z", "2024-02-29 00:00Z", "2024-03-01 00:00Z", 24),
        ("10d, 00:00, UTC", "2000-01-10 23:59:59Z", "2000-01-01 00:00Z", "2000-01-11 00:00Z", 240),
    ] as [(String, String, String, String, Double)])
    func instantsFallInTheirWallClockPeriod(settings: String, at: String, start: String, end: String, hours: Double) {
        let parts = settings.components(separatedBy: ", ")
        let spec = Self.spec(parts[0], parts[1], parts[2])
        let window = spec.window(containing: instant(at))
        #expect(window.start == instant(start))
        #expect(window.end == instant(end))
        #expect(window.duration == hours * 3600)
        #expect(spec.window(index: window.index) == window)
    }

    static let specs: [(String, String?, String)] = [
        ("7d", "mon 00:00", "Australia/Sydney"),
        ("7d", "sun 02:30", "Europe/Berlin"),
        ("14d", "fri 17:00", "America/New_York"),
        ("1d", "00:00", "UTC"),
        ("1d", "02:30", "Australia/Sydney"),
        ("1d", "02:30", "Europe/Berlin"),
        ("1d", "02:15", "Australia/Lord_Howe"),
        ("1d", "00:00", "America/Santiago"),
        ("3d", "12:00", "Asia/Kolkata"),
        ("1mo", "31 09:30", "UTC"),
        ("1mo", "31 02:30", "Australia/Sydney"),
        ("1mo", "1 00:00", "Europe/Berlin"),
        ("3mo", "2024-02-29 00:00", "Australia/Sydney"),
        ("12mo", "31 23:59", "Pacific/Auckland"),
    ]

    @Test(arguments: specs)
    func consecutivePeriodsTileTimeAndIndexesStepByOne(period: String, anchor: String?, zone: String) {
        let spec = Self.spec(period, anchor, zone)
        var window = spec.window(containing: instant("2023-01-01T00:00:00Z"))
        var problems: [String] = []
        let lastSupported = instant("2399-01-01T00:00:00Z")
        for _ in 0..<400 where window.end < lastSupported {
            let next = spec.window(index: window.index + 1)
            if next.start != window.end { problems.append("gap after \(window)") }
            if window.end <= window.start { problems.append("empty \(window)") }
            if spec.window(containing: window.start) != window { problems.append("start of \(window)") }
            let justBeforeEnd = window.end.addingTimeInterval(-0.001)
            if spec.window(containing: justBeforeEnd) != window { problems.append("end of \(window)") }
            if spec.window(containing: window.end) != next { problems.append("boundary after \(window)") }
            window = next
        }
        #expect(problems.isEmpty, "\(problems.prefix(5))")
    }

    @Test(arguments: specs)
    func everyInstantIsInsideTheWindowFoundForIt(period: String, anchor: String?, zone: String) {
        let spec = Self.spec(period, anchor, zone)
        var generator = SeededGenerator(seed: 11)
        var misses: [Date] = []
        for _ in 0..<2000 {
            // 1950–2100, whole seconds half the time so boundaries get hit too.
            let seconds = Double.random(in: -631_152_000...4_102_444_800, using: &generator)
            let at = Date(timeIntervalSince1970: Bool.random(using: &generator) ? seconds.rounded() : seconds)
            let window = spec.window(containing: at)
            if !window.contains(at) || spec.window(index: window.index) != window { misses.append(at) }
        }
        #expect(misses.isEmpty, "\(misses.prefix(5))")
    }

    @Test func anInstantExactlyOnABoundaryStartsTheNewPeriod() {
        let spec = Self.spec("7d", "mon 00:00", "Australia/Sydney")
        let boundary = instant("2024-10-07T00:00:00+11:00")
        let before = spec.window(containing: boundary.addingTimeInterval(-0.000_1))
        let at = spec.window(containing: boundary)
        #expect(at.start == boundary)
        #expect(before.end == boundary)
        #expect(at.index == before.index + 1)
        #expect(at.contains(boundary) && !before.contains(boundary))
    }

    @Test(arguments: [
        ("1d", "00:00", "UTC", "2024-01-01T12:00:00Z", Int64(8766)),
        ("1d", "00:00", "Australia/Sydney", "2024-01-01T00:00:00+11:00", 8766),
        ("1d", "00:00", "Australia/Sydney", "2023-12-31T23:59:59+11:00", 8765),
        ("7d", "mon 00:00", "UTC", "2000-01-03T00:00:00Z", 0),
        ("7d", "mon 00:00", "UTC", "2000-01-02T23:59:59Z", -1),
        ("7d", "sat 00:00", "UTC", "2000-01-01T00:00:00Z", 0),
        ("7d", "mon 00:00", "Australia/Sydney", "2024-10-07T00:00:00+11:00", 1292),
        ("14d", "mon 00:00", "UTC", "2000-01-17T00:00:00Z", 1),
        ("1mo", "1 00:00", "UTC", "2024-03-15T00:00:00Z", 290),
        ("1mo", "1 00:00", "UTC", "2000-01-01T00:00:00Z", 0),
        ("1mo", "15 00:00", "UTC", "2000-01-14T00:00:00Z", -1),
        ("3mo", "1 00:00", "UTC", "2024-03-15T00:00:00Z", 96),
    ] as [(String, String?, String, String, Int64)])
    func indexesCountPeriodsFromTheFirstBoundaryOfTheYear2000(
        period: String,
        anchor: String?,
        zone: String,
        at: String,
        index: Int64
    ) {
        #expect(Self.spec(period, anchor, zone).window(containing: instant(at)).index == index)
    }

    @Test func theSameLocalDayHasTheSameIndexInEveryZone() {
        let sydney = Self.spec("1d", "00:00", "Australia/Sydney").window(containing: instant("2024-06-10 09:00+10"))
        let berlin = Self.spec("1d", "00:00", "Europe/Berlin").window(containing: instant("2024-06-10 09:00+02"))
        #expect(sydney.index == berlin.index)
        #expect(berlin.start.timeIntervalSince(sydney.start) == 8 * 3600)
    }

    @Test func aStartDateOnlyChoosesThePhase() {
        let fromMarch3 = Self.spec("14d", "2025-03-03 00:00", "UTC")
        let fromMarch17 = Self.spec("14d", "2025-03-17 00:00", "UTC")
        let fromMonday = Self.spec("14d", "mon 00:00", "UTC")
        let at = instant("2025-03-20T00:00:00Z")
        #expect(fromMarch3.window(containing: at) == fromMarch17.window(containing: at))
        #expect(fromMarch3.window(containing: at).start == instant("2025-03-17T00:00:00Z"))
        #expect(fromMonday.window(containing: at).start == instant("2025-03-10T00:00:00Z"))
    }

    /// Seconds since 1970 (a NaN `Date` cannot even be described by the test runner).
    @Test(arguments: [
        Date.distantPast.timeIntervalSince1970, Date.distantFuture.timeIntervalSince1970, .nan, .infinity, -.infinity,
    ])
    func instantsOutsideTheSupportedCenturiesGetTheOutermostPeriod(seconds: Double) {
        let spec = Self.spec("7d", "mon 00:00", "Australia/Sydney")
        let window = spec.window(containing: Date(timeIntervalSince1970: seconds))
        #expect(window.end > window.start)
        #expect(spec.window(index: window.index) == window)
        #expect(spec.window(index: .max) == spec.window(index: spec.window(containing: .distantFuture).index))
        #expect(spec.window(index: .min).start < instant("1900-01-08T00:00:00Z"))
    }

    @Test func oneSpecGivesTheSameWindowsFromManyTasksAtOnce() async {
        let spec = Self.spec("1mo", "31 02:30", "Europe/Berlin")
        let instants = (0..<2000).map { instant("2020-01-01 00:00Z").addingTimeInterval(Double($0) * 47_111) }
        let serial = instants.map { spec.window(containing: $0) }
        let parallel = await withTaskGroup(of: [PeriodWindow].self) { group in
            for _ in 0..<8 { group.addTask { instants.map { spec.window(containing: $0) } } }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(parallel.count == 8)
        #expect(parallel.allSatisfy { $0 == serial })
    }
}
