/// A day of the week, numbered as ISO 8601 does (Monday 1 … Sunday 7).
public enum Weekday: Int, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case monday = 1
    case tuesday
    case wednesday
    case thursday
    case friday
    case saturday
    case sunday

    /// `mon`, `tue`, …: how an anchor is written.
    public var description: String {
        switch self {
        case .monday: "mon"
        case .tuesday: "tue"
        case .wednesday: "wed"
        case .thursday: "thu"
        case .friday: "fri"
        case .saturday: "sat"
        case .sunday: "sun"
        }
    }

    /// The full name, or a common abbreviation of it, in any case (`Mon`, `tues`, `THURSDAY`).
    public init?(parsing text: some StringProtocol) {
        let names: [String: Weekday] = [
            "mon": .monday, "monday": .monday,
            "tue": .tuesday, "tues": .tuesday, "tuesday": .tuesday,
            "wed": .wednesday, "weds": .wednesday, "wednesday": .wednesday,
            "thu": .thursday, "thur": .thursday, "thurs": .thursday, "thursday": .thursday,
            "fri": .friday, "friday": .friday,
            "sat": .saturday, "saturday": .saturday,
            "sun": .sunday, "sunday": .sunday,
        ]
        guard let day = names[text.lowercased()] else { return nil }
        self = day
    }
}
