/// One student's account for one period, in the policy's unit. The Redis balance hash holds the same fields.
public struct PeriodBalance: Sendable, Hashable, Codable {
    /// The ``PeriodWindow/index`` of the period this is for.
    public var periodIndex: Int64
    /// What the period brought (the policy's limit when it opened).
    public var allocation: Int64
    /// Carried from the period before: positive for savings, negative for an overspend being deducted.
    public var carryIn: Int64
    /// Added by staff during the period.
    public var grants: Int64
    /// Settled charges.
    public var used: Int64

    public init(periodIndex: Int64, allocation: Int64, carryIn: Int64 = 0, grants: Int64 = 0, used: Int64 = 0) {
        self.periodIndex = periodIndex
        self.allocation = allocation
        self.carryIn = carryIn
        self.grants = grants
        self.used = used
    }

    /// `allocation + carryIn + grants − used`; negative after an overspend.
    public var remaining: Int64 {
        let brought = Saturating.add(Saturating.add(self.allocation, self.carryIn), self.grants)
        let (difference, overflow) = brought.subtractingReportingOverflow(self.used)
        guard overflow else { return difference }
        return self.used > 0 ? .min : .max
    }
}
