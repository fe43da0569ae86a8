/// A wall-clock time, to the minute, in 24-hour form (`00:00` … `23:59`).
public struct TimeOfDay: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let hour: Int
    public let minute: Int

    public static let midnight = TimeOfDay(uncheckedHour: 0, minute: 0)

    /// Nil unless `hour` is 0–23 and `minute` 0–59.
    public init?(hour: Int, minute: Int) {
        guard (0...23).contains(hour), (0...59).contains(minute) else { return nil }
        self.init(uncheckedHour: hour, minute: minute)
    }

    private init(uncheckedHour hour: Int, minute: Int) {
        self.hour = hour
        self.minute = minute
    }

    /// `H:MM` or `HH:MM`; nil for anything else (`24:00`, `9`, `9:5`).
    public init?(parsing text: some StringProtocol) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, (1...2).contains(parts[0].count), parts[1].count == 2,
            parts.allSatisfy({ $0.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") } }),
            let hour = Int(parts[0]), let minute = Int(parts[1])
        else { return nil }
        self.init(hour: hour, minute: minute)
    }

    /// Seconds after midnight on a day without a clock change.
    public var secondsIntoDay: Int64 { Int64(self.hour * 3600 + self.minute * 60) }

    /// `HH:MM`.
    public var description: String {
        (self.hour < 10 ? "0" : "") + "\(self.hour):" + (self.minute < 10 ? "0" : "") + "\(self.minute)"
    }

    public static func < (lhs: TimeOfDay, rhs: TimeOfDay) -> Bool {
        (lhs.hour, lhs.minute) < (rhs.hour, rhs.minute)
    }
}
