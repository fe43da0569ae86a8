/// A course's allowance rules (or one student's override of them), stored in Redis as JSON and read by
/// every edge.
///
/// Amounts (`limit`, `emergencyCapPerEdge`, a capped carry-over) are in the unit's integers: milli-tokens
/// (weighted) for ``QuotaUnit/tokens(_:)``, pico-dollars for ``QuotaUnit/usd``.
public struct QuotaPolicy: Sendable, Hashable {
    /// The allocation each period brings.
    public var limit: Int64
    public var unit: QuotaUnit
    public var period: PeriodSpec
    public var carryOver: CarryOver
    public var overspend: OverspendRule
    public var failMode: FailMode
    /// What one edge lets a student spend per period while Redis is unreachable (fail-open courses).
    public var emergencyCapPerEdge: Int64
    /// The course reserve a student who has run out draws on; nil when the course has none.
    public var reserve: CourseReserve?
    /// What the course does about secrets in requests; nil for the defaults.
    public var leaks: LeakPolicy?

    /// - Parameter emergencyCapPerEdge: nil for 5 % of `limit`, rounded up (``defaultEmergencyCap(limit:)``).
    public init(
        limit: Int64,
        unit: QuotaUnit = .standardTokens,
        period: PeriodSpec,
        carryOver: CarryOver = .none,
        overspend: OverspendRule = .forgive,
        failMode: FailMode = .open,
        emergencyCapPerEdge: Int64? = nil,
        reserve: CourseReserve? = nil,
        leaks: LeakPolicy? = nil
    ) {
        self.limit = limit
        self.unit = unit
        self.period = period
        self.carryOver = carryOver
        self.overspend = overspend
        self.failMode = failMode
        self.emergencyCapPerEdge = emergencyCapPerEdge ?? Self.defaultEmergencyCap(limit: limit)
        self.reserve = reserve
        self.leaks = leaks
    }

    /// 5 % of `limit`, rounded up.
    public static func defaultEmergencyCap(limit: Int64) -> Int64 {
        limit <= 0 ? 0 : limit / 20 + (limit % 20 == 0 ? 0 : 1)
    }

    /// What a response costs against this allowance: weighted milli-tokens for a token unit (server-tool
    /// requests weigh nothing), `cost` for a USD one.
    public func charge(for usage: TokenUsage, cost: PicoDollars) -> Int64 {
        switch self.unit {
        case .tokens(let weights): WeightedTokens(usage, weights: weights).milliTokens
        case .usd: cost
        }
    }

    /// As ``charge(for:cost:)-(TokenUsage,_)``, weighing the report's billable usage (its iterations when it has them).
    public func charge(for report: UsageReport, cost: PicoDollars) -> Int64 {
        self.charge(for: report.billableUsage, cost: cost)
    }

    /// Throws the first rule this policy breaks: every amount within 0…``QuotaAmount/maximum``, a carry-over
    /// percentage within 0…100, token weights within 0…1,000,000 (0–1000×).
    public func validate() throws(QuotaInputError) {
        let maximum = QuotaAmount.maximum
        func check(_ amount: Int64, _ name: String) throws(QuotaInputError) {
            guard (0...maximum).contains(amount) else {
                throw .invalidPolicy(reason: "\(name) must be between 0 and \(maximum), not \(amount)")
            }
        }
        try check(self.limit, "limit")
        try check(self.emergencyCapPerEdge, "emergencyCapPerEdge")
        if let reserve = self.reserve {
            try check(reserve.total, "the reserve's total")
            try check(reserve.capPerStudent, "the reserve's cap per student")
        }
        switch self.carryOver {
        case .capped(let amount): try check(amount, "the carry-over cap")
        case .cappedPercent(let percent) where !(0...100).contains(percent):
            throw .invalidPolicy(reason: "a carry-over percentage must be between 0 and 100, not \(percent)")
        default: break
        }
        if case .tokens(let weights) = self.unit {
            let all = [
                weights.inputMilli, weights.cacheWrite5mMilli, weights.cacheWrite1hMilli, weights.cacheReadMilli,
                weights.outputMilli,
            ]
            guard all.allSatisfy({ (0...1_000_000).contains($0) }) else {
                throw .invalidPolicy(reason: "token weights must be between 0 and 1000000 milli (0–1000×)")
            }
        }
    }
}
