import ArgumentParser
import Shared

/// A course allowance as options: `goosey seed` and `goosey quota set` both take these.
struct PolicyOptions: ParsableArguments {
    @Option(help: "Allowance per period: 500k, 2M (weighted tokens) or 40usd.")
    var limit: String = "500k"

    @Option(name: .customLong("reset-period"), help: "1d, 7d, 14d, 1mo, ...")
    var resetPeriod: String = "7d"

    @Option(help: "When a period starts, e.g. \"mon 00:00\" (weekly) or \"1 00:00\" (monthly).")
    var anchor: String?

    @Option(help: "The course's time zone, e.g. Australia/Sydney.")
    var timezone: String = "UTC"

    @Flag(name: .customLong("carry-over"), help: "Carry what is left into the next period.")
    var carryOver = false

    @Option(name: .customLong("carry-cap"), help: "With --carry-over: carry at most this much, e.g. 250k or 50%.")
    var carryCap: String?

    @Flag(name: .customLong("fail-closed"), help: "Refuse requests while Redis is unreachable.")
    var failClosed = false

    @Option(name: .customLong("reserve"), help: "A course reserve per period that students who run out draw on, e.g. 2M.")
    var reserve: String?

    @Option(name: .customLong("reserve-cap"), help: "The most one student may draw from the reserve per period, e.g. 100k.")
    var reserveCap: String?

    func policy() throws -> QuotaPolicy {
        let amount = try QuotaAmount(parsing: self.limit)
        let policy = QuotaPolicy(
            limit: amount.value,
            unit: amount.kind == .usd ? .usd : .standardTokens,
            period: try PeriodSpec(period: self.resetPeriod, anchor: self.anchor, timeZone: self.timezone),
            carryOver: try self.carry(unit: amount.kind),
            failMode: self.failClosed ? .closed : .open,
            reserve: try self.courseReserve(unit: amount.kind)
        )
        try policy.validate()
        return policy
    }

    private func carry(unit: QuotaAmount.Kind) throws -> CarryOver {
        guard self.carryOver else {
            guard self.carryCap == nil else { throw ValidationError("--carry-cap needs --carry-over") }
            return .none
        }
        guard let cap = self.carryCap else { return .all }
        if cap.hasSuffix("%") {
            guard let percent = Int(cap.dropLast()), (0...100).contains(percent) else {
                throw ValidationError("--carry-cap \(cap): a percentage is 0% to 100%")
            }
            return .cappedPercent(percent)
        }
        let amount = try QuotaAmount(parsing: cap)
        guard amount.kind == unit else { throw ValidationError("--carry-cap must be in the unit of --limit") }
        return .capped(amount.value)
    }

    /// `--reserve` and `--reserve-cap` in the allowance's unit; the cap defaults to the whole reserve.
    private func courseReserve(unit: QuotaAmount.Kind) throws -> CourseReserve? {
        guard let reserve = self.reserve else {
            guard self.reserveCap == nil else { throw ValidationError("--reserve-cap needs --reserve") }
            return nil
        }
        let total = try QuotaAmount(parsing: reserve)
        let cap = try self.reserveCap.map { try QuotaAmount(parsing: $0) } ?? total
        guard total.kind == unit, cap.kind == unit else {
            throw ValidationError("--reserve and --reserve-cap must be in the unit of --limit")
        }
        return CourseReserve(total: total.value, capPerStudent: cap.value)
    }
}
