/// A course's shared reserve: allowance any student who has run out draws on automatically, up to
/// `capPerStudent` each per period, until the period's `total` is gone. It refills at each period
/// boundary of the drawing student's policy: once a period when the course's students share one period spec,
/// at the boundaries of each spec when overrides give some another. Amounts are in the policy's unit.
public struct CourseReserve: Sendable, Hashable, Codable {
    public var total: Int64
    public var capPerStudent: Int64

    public init(total: Int64, capPerStudent: Int64) {
        self.total = total
        self.capPerStudent = capPerStudent
    }
}
