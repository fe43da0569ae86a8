import Foundation
import Shared
import Testing

@Suite struct PeriodSpecTests {
    static let midnight = TimeOfDay.midnight
    static func time(_ hour: Int, _ minute: Int) -> TimeOfDay { TimeOfDay(hour: hour, minute: minute)! }

    @Test(arguments: [
        ("7d", "mon 00:00", "Australia/Sydney", .days(7), .weekday(.monday, midnight), "Australia/Sydney"),
        ("2w", nil, nil, .days(14), .weekday(.monday, midnight), "UTC"),
        ("14d", "Wednesday 9:30", "UTC", .days(14), .weekday(.wednesday, time(9, 30)), "UTC"),
        ("7 days", "SUN", "", .days(7), .weekday(.sunday, midnight), "UTC"),
        ("1d", nil, "Europe/Berlin", .days(1), .timeOfDay(midnight), "Europe/Berlin"),
        ("1d", "06:00", nil, .days(1), .timeOfDay(time(6, 0)), "UTC"),
        ("10d", "2025-03-03 08:00", nil, .days(10), .date(CivilDate(year: 2025, month: 3, day: 3)!, time(8, 0)), "UTC"),
        ("1mo", "31 09:30", "Europe/Berlin", .months(1), .dayOfMonth(31, time(9, 30)), "Europe/Berlin"),
        ("1MO", "1", nil, .months(1), .dayOfMonth(1, midnight), "UTC"),
        ("3mo", nil, nil, .months(3), .dayOfMonth(1, midnight), "UTC"),
        ("1y", "2025-02-24 00:00", nil, .months(12), .date(CivilDate(year: 2025, month: 2, day: 24)!, midnight), "UTC"),
        ("1 month", "15 12:00", "australia/sydney", .months(1), .dayOfMonth(15, time(12, 0)), "Australia/Sydney"),
    ] as [(String, String?, String?, PeriodSpec.Length, PeriodSpec.Anchor, String)])
    func staffSettingsParse(
        period: String,
        anchor: String?,
        timeZone: String?,
        length: PeriodSpec.Length,
        expectedAnchor: PeriodSpec.Anchor,
        zone: String
    ) throws {
        let spec = try PeriodSpec(period: period, anchor: anchor, timeZone: timeZone)
        #expect(spec.length == length)
        #expect(spec.anchor == expectedAnchor)
        #expect(spec.timeZoneIdentifier == zone)
        let reparsed = try PeriodSpec(
            period: spec.length.description,
            anchor: spec.anchor.description,
            timeZone: spec.timeZoneIdentifier
        )
        #expect(reparsed == spec)
    }

    @Test(arguments: [
        ("", nil, nil, "invalid_period", "use days, weeks or months"),
        ("7", nil, nil, "invalid_period", "use days, weeks or months"),
        ("weekly", nil, nil, "invalid_period", "use days, weeks or months"),
        ("0d", nil, nil, "invalid_period", "1 to 366 days"),
        ("400d", nil, nil, "invalid_period", "1 to 366 days"),
        ("13mo", nil, nil, "invalid_period", "1 to 12 months"),
        ("1m", nil, nil, "invalid_period", "write months as \"mo\""),
        ("7d", "tue 25:00", nil, "invalid_anchor", "\"25:00\" is not a time of day"),
        ("7d", "mon 9", nil, "invalid_anchor", "is not a time of day"),
        ("7d", "00:00", nil, "invalid_anchor", "needs a weekday"),
        ("10d", "mon 00:00", nil, "invalid_anchor", "whole weeks"),
        ("1d", "mon", nil, "invalid_anchor", "whole weeks"),
        ("7d", "1 00:00", nil, "invalid_anchor", "anchors month periods"),
        ("1mo", "mon 00:00", nil, "invalid_anchor", "day of the month"),
        ("1mo", "09:30", nil, "invalid_anchor", "day of the month"),
        ("1mo", "32 00:00", nil, "invalid_anchor", "1 to 31"),
        ("1mo", "0", nil, "invalid_anchor", "1 to 31"),
        ("1mo", "2025-02-30 00:00", nil, "invalid_anchor", "is not a date"),
        ("7d", "mon 00:00 extra", nil, "invalid_anchor", "give a weekday"),
        ("7d", "someday", nil, "invalid_anchor", "give a weekday"),
        ("7d", "mon", "Mars/Olympus_Mons", "unknown_time_zone", "IANA identifier"),
        ("7d", "mon", "Sydney", "unknown_time_zone", "did you mean \"Australia/Sydney\""),
    ] as [(String, String?, String?, String, String)])
    func badSettingsAreRefusedNamingTheText(
        period: String,
        anchor: String?,
        timeZone: String?,
        kind: String,
        reason: String
    ) {
        #expect {
            try PeriodSpec(period: period, anchor: anchor, timeZone: timeZone)
        } throws: { error in
            guard let error = error as? QuotaInputError else { return false }
            let given = [period, anchor, timeZone].compactMap { $0 }
            let quoted = given.contains { error.description.contains("\"\($0)\"") }
            return error.kind == kind && error.description.contains(reason) && quoted
        }
    }

    @Test func defaultAnchorsAreMondayMidnightMidnightAndTheFirst() throws {
        #expect(try PeriodSpec(length: .days(7)).anchor == .weekday(.monday, .midnight))
        #expect(try PeriodSpec(length: .days(3)).anchor == .timeOfDay(.midnight))
        #expect(try PeriodSpec(length: .months(1)).anchor == .dayOfMonth(1, .midnight))
        #expect(try PeriodSpec(length: .days(7)).timeZoneIdentifier == "UTC")
    }

    @Test func encodesAsTheSettingsStaffWrite() throws {
        let spec = try PeriodSpec(period: "2w", anchor: "Monday 9:00", timeZone: "Australia/Sydney")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let json = String(decoding: try encoder.encode(spec), as: UTF8.self)
        #expect(json == #"{"anchor":"mon 09:00","length":"14d","timeZone":"Australia/Sydney"}"#)
        #expect(try JSONDecoder().decode(PeriodSpec.self, from: Data(json.utf8)) == spec)
        #expect(spec.description == "14d from mon 09:00 Australia/Sydney")
    }

    @Test(arguments: [
        #"{"length":"7d","anchor":"1 00:00","timeZone":"UTC"}"#,
        #"{"length":"7d","anchor":"mon 00:00","timeZone":"Nowhere/Special"}"#,
        #"{"length":"0d"}"#,
        #"{"anchor":"mon 00:00"}"#,
    ])
    func decodingRefusesWhatParsingRefuses(json: String) {
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(PeriodSpec.self, from: Data(json.utf8)) }
    }

    @Test func aMissingAnchorAndZoneDecodeAsTheDefaults() throws {
        let spec = try JSONDecoder().decode(PeriodSpec.self, from: Data(#"{"length":"1mo"}"#.utf8))
        #expect(spec == (try PeriodSpec(length: .months(1))))
    }

    @Test(arguments: [
        ("00:00", true), ("9:05", true), ("23:59", true),
        ("24:00", false), ("12:60", false), ("9", false), ("9:5", false), ("-1:00", false), ("012:00", false),
    ])
    func timesOfDayAre24HourHoursAndMinutes(text: String, valid: Bool) {
        #expect((TimeOfDay(parsing: text) != nil) == valid)
    }

    @Test(arguments: [
        (2000, 1, 1, Int64(0), 6),
        (2000, 1, 3, 2, 1),
        (1999, 12, 31, -1, 5),
        (2000, 3, 1, 60, 3),
        (2024, 1, 1, 8766, 1),
        (2024, 2, 29, 8825, 4),
        (2100, 3, 1, 36584, 1),
        (1900, 1, 1, -36524, 1),
    ])
    func civilDatesCountDaysFrom2000(year: Int, month: Int, day: Int, dayNumber: Int64, isoWeekday: Int) throws {
        let date = try #require(CivilDate(year: year, month: month, day: day))
        #expect(date.dayNumber == dayNumber)
        #expect(CivilDate(dayNumber: dayNumber) == date)
        #expect(date.isoWeekday == isoWeekday)
    }

    @Test func civilDatesRoundTripThroughDayNumbersForFiveCenturies() {
        var expected = CivilDate(year: 1900, month: 1, day: 1)!
        var mismatches: [Int64] = []
        for dayNumber in expected.dayNumber...CivilDate(year: 2400, month: 1, day: 1)!.dayNumber {
            let date = CivilDate(dayNumber: dayNumber)
            if date != expected || date.dayNumber != dayNumber { mismatches.append(dayNumber) }
            expected = Self.dayAfter(expected)
        }
        #expect(mismatches.isEmpty)
    }

    static func dayAfter(_ date: CivilDate) -> CivilDate {
        if date.day < CivilDate.daysIn(year: date.year, month: date.month) {
            return CivilDate(year: date.year, month: date.month, day: date.day + 1)!
        }
        if date.month < 12 { return CivilDate(year: date.year, month: date.month + 1, day: 1)! }
        return CivilDate(year: date.year + 1, month: 1, day: 1)!
    }

    @Test(arguments: [(2000, true), (1900, false), (2100, false), (2024, true), (2023, false), (2400, true)])
    func leapYearsFollowTheGregorianRule(year: Int, leap: Bool) {
        #expect(CivilDate.isLeap(year) == leap)
        #expect(CivilDate.daysIn(year: year, month: 2) == (leap ? 29 : 28))
    }
}
