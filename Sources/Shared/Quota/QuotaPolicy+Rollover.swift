/// The reference rollover rule. The Redis scripts implement the same rule and are tested against this.
extension QuotaPolicy {
    /// What a closed period passes to the next one.
    ///
    /// - A positive remainder carries by `carryOver`: `none` → 0, `all` → all of it, `capped(c)` →
    ///   `min(remaining, c)`, `cappedPercent(p)` → `min(remaining, ⌊allocation × p / 100⌋)`.
    /// - A negative remainder (an overspend) → 0 if `forgive`; the negative amount if `deductFromNext`.
    /// - The result is clamped to ±``QuotaAmount/maximum`` so sums in the Lua scripts stay exact.
    ///
    /// ⌊allocation × p / 100⌋ is computed as `(allocation / 100) × p + (allocation % 100) × p / 100`: the same
    /// number, but every intermediate stays below 2⁵³ (a Lua double multiplying `allocation × p` first would not).
    /// - Parameters:
    ///   - previousRemaining: `allocation + carryIn + grants − used` of the closed period; may be negative.
    ///   - allocation: the closed period's allocation.
    public static func carryIn(
        previousRemaining: Int64,
        allocation: Int64,
        carryOver: CarryOver,
        overspend: OverspendRule
    ) -> Int64 {
        let maximum = QuotaAmount.maximum
        guard previousRemaining > 0 else {
            return overspend == .deductFromNext ? max(previousRemaining, -maximum) : 0
        }
        return min(previousRemaining, Self.carryCap(carryOver, allocation: allocation))
    }

    /// The most a positive remainder may carry: never more than ``QuotaAmount/maximum``.
    static func carryCap(_ carryOver: CarryOver, allocation: Int64) -> Int64 {
        let maximum = QuotaAmount.maximum
        switch carryOver {
        case .none:
            return 0
        case .all:
            return maximum
        case .capped(let cap):
            return min(max(cap, 0), maximum)
        case .cappedPercent(let percent):
            let allocation = min(max(allocation, 0), maximum)
            let percent = Int64(min(max(percent, 0), 100))
            return min(allocation / 100 * percent + allocation % 100 * percent / 100, maximum)
        }
    }

    /// `state` carried forward to period `index`, through every period in between (each idle: no usage, no
    /// grants, the policy's limit as allocation), by ``carryIn(previousRemaining:allocation:carryOver:overspend:)``.
    ///
    /// An idle student's savings grow by the limit each period under `all` (up to ``QuotaAmount/maximum``),
    /// and stop at the cap under `capped`/`cappedPercent`; a debt under `deductFromNext` shrinks by the limit
    /// each period until it is paid. Runs in constant time however many periods were missed. An `index` at or
    /// before `state.periodIndex` returns `state` unchanged: periods never roll back.
    public static func rollForward(state: PeriodBalance, to index: Int64, policy: QuotaPolicy) -> PeriodBalance {
        guard index > state.periodIndex else { return state }
        let allocation = min(max(policy.limit, 0), QuotaAmount.maximum)
        let carried = Self.carryIn(
            previousRemaining: state.remaining,
            allocation: state.allocation,
            carryOver: policy.carryOver,
            overspend: policy.overspend
        )
        let (gap, overflow) = index.subtractingReportingOverflow(state.periodIndex)
        let idle = (overflow ? .max : gap) - 1
        let carry = Self.idleCarry(from: carried, periods: idle, allocation: allocation, policy)
        return PeriodBalance(periodIndex: index, allocation: allocation, carryIn: carry)
    }

    /// The carry after `periods` idle periods, each opening with `carry` and `allocation`, closing with both.
    ///
    /// The idle step `carry → carryIn(allocation + carry)` either adds `allocation` (paying off a debt, or saving
    /// below the cap) or lands on a fixed point (the cap, or 0); runs of the first kind are taken in one jump.
    static func idleCarry(from carry: Int64, periods: Int64, allocation: Int64, _ policy: QuotaPolicy) -> Int64 {
        var carry = carry
        var left = periods
        while left > 0 {
            let next = Self.carryIn(
                previousRemaining: allocation + carry,
                allocation: allocation,
                carryOver: policy.carryOver,
                overspend: policy.overspend
            )
            if next == carry { break }
            let linear =
                next == carry + allocation && allocation > 0
                && (policy.overspend == .deductFromNext || carry + allocation > 0)
            guard linear else {
                carry = next
                left -= 1
                continue
            }
            // Stays linear while carry + allocation ≤ the cap (a debt never exceeds the cap: it is ≤ 0).
            let steps = min(left, (Self.carryCap(policy.carryOver, allocation: allocation) - carry) / allocation)
            carry += steps * allocation
            left -= steps
        }
        return carry
    }

    /// A fresh balance for a student with no history: the limit, nothing carried.
    public func openingBalance(periodIndex: Int64) -> PeriodBalance {
        PeriodBalance(periodIndex: periodIndex, allocation: min(max(self.limit, 0), QuotaAmount.maximum))
    }
}
