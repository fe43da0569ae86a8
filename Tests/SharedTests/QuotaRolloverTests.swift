import Foundation
import Shared
import Testing

@Suite struct QuotaRolloverTests {
    static let maximum = QuotaAmount.maximum

    static let weekly = try! PeriodSpec(length: .days(7))

    static func policy(
        limit: Int64 = 1000,
        _ carryOver: CarryOver,
        _ overspend: OverspendRule = .forgive
    ) -> QuotaPolicy {
        QuotaPolicy(limit: limit, period: Self.weekly, carryOver: carryOver, overspend: overspend)
    }

    @Test(arguments: [
        // Savings carry by the rule.
        (Int64(300), Int64(1000), CarryOver.none, OverspendRule.forgive, Int64(0)),
        (300, 1000, .all, .forgive, 300),
        (300, 1000, .capped(200), .forgive, 200),
        (100, 1000, .capped(200), .forgive, 100),
        (300, 1000, .capped(0), .forgive, 0),
        (300, 1000, .cappedPercent(25), .forgive, 250),
        (200, 1000, .cappedPercent(25), .forgive, 200),
        (999, 999, .cappedPercent(50), .forgive, 499),
        (999, 999, .cappedPercent(100), .forgive, 999),
        (999, 999, .cappedPercent(0), .forgive, 0),
        (300, 1000, .all, .deductFromNext, 300),
        // Nothing left, nothing carried.
        (0, 1000, .all, .forgive, 0),
        (0, 1000, .all, .deductFromNext, 0),
        // An overspend is forgiven or deducted, whatever the carry rule.
        (-150, 1000, .all, .forgive, 0),
        (-150, 1000, .none, .forgive, 0),
        (-150, 1000, .none, .deductFromNext, -150),
        (-150, 1000, .capped(10), .deductFromNext, -150),
        (-5000, 1000, .cappedPercent(10), .deductFromNext, -5000),
        // Never beyond ±2^50, so Lua's doubles stay exact.
        (1 << 52, 1000, .all, .forgive, maximum),
        (1 << 52, 1000, .capped(1 << 60), .forgive, maximum),
        (-(1 << 52), 1000, .all, .deductFromNext, -maximum),
        (maximum, maximum, .cappedPercent(100), .forgive, maximum),
    ])
    func closedPeriodsPassOnWhatTheRuleAllows(
        remaining: Int64,
        allocation: Int64,
        carryOver: CarryOver,
        overspend: OverspendRule,
        carry: Int64
    ) {
        let result = QuotaPolicy.carryIn(
            previousRemaining: remaining,
            allocation: allocation,
            carryOver: carryOver,
            overspend: overspend
        )
        #expect(result == carry)
    }

    @Test func aPercentageCapIsTheExactFloorEvenForTheLargestAllocations() {
        var generator = SeededGenerator(seed: 5)
        for _ in 0..<10_000 {
            let allocation = Int64.random(in: 0...Self.maximum, using: &generator)
            let percent = Int.random(in: 0...100, using: &generator)
            let exact = Int64(Int128(allocation) * Int128(percent) / 100)
            let carried = QuotaPolicy.carryIn(
                previousRemaining: Self.maximum,
                allocation: allocation,
                carryOver: .cappedPercent(percent),
                overspend: .forgive
            )
            #expect(carried == exact)
        }
    }

    @Test func theNextPeriodOpensWithItsAllocationAndTheCarry() {
        let state = PeriodBalance(periodIndex: 5, allocation: 1000, carryIn: 100, grants: 200, used: 800)
        #expect(state.remaining == 500)
        let next = QuotaPolicy.rollForward(state: state, to: 6, policy: Self.policy(limit: 2000, .all))
        #expect(next == PeriodBalance(periodIndex: 6, allocation: 2000, carryIn: 500, grants: 0, used: 0))
    }

    @Test(arguments: [Int64(5), 4, -100, .min])
    func periodsNeverRollBack(index: Int64) {
        let state = PeriodBalance(periodIndex: 5, allocation: 1000, carryIn: 100, grants: 200, used: 800)
        #expect(QuotaPolicy.rollForward(state: state, to: index, policy: Self.policy(.all)) == state)
    }

    /// Each row: a rule, a closed period's remainder, and the carry-in of the next six periods when the
    /// student spends nothing.
    @Test(arguments: [
        (CarryOver.none, OverspendRule.forgive, Int64(500), [Int64(0), 0, 0, 0, 0, 0]),
        (.all, .forgive, 500, [500, 1500, 2500, 3500, 4500, 5500]),
        (.capped(2500), .forgive, 500, [500, 1500, 2500, 2500, 2500, 2500]),
        (.capped(2500), .forgive, 9000, [2500, 2500, 2500, 2500, 2500, 2500]),
        (.cappedPercent(50), .forgive, 500, [500, 500, 500, 500, 500, 500]),
        (.cappedPercent(100), .forgive, 0, [0, 1000, 1000, 1000, 1000, 1000]),
        (.none, .forgive, -2500, [0, 0, 0, 0, 0, 0]),
        (.all, .forgive, -2500, [0, 1000, 2000, 3000, 4000, 5000]),
        (.none, .deductFromNext, -2500, [-2500, -1500, -500, 0, 0, 0]),
        (.all, .deductFromNext, -2500, [-2500, -1500, -500, 500, 1500, 2500]),
        (.capped(700), .deductFromNext, -2000, [-2000, -1000, 0, 700, 700, 700]),
    ])
    func anIdleStudentAccumulatesByTheRule(
        carryOver: CarryOver,
        overspend: OverspendRule,
        remaining: Int64,
        carries: [Int64]
    ) {
        let policy = Self.policy(carryOver, overspend)
        let state = PeriodBalance(periodIndex: 10, allocation: 1000, used: 1000 - remaining)
        for (offset, carry) in carries.enumerated() {
            let index = 11 + Int64(offset)
            let rolled = QuotaPolicy.rollForward(state: state, to: index, policy: policy)
            #expect(rolled == PeriodBalance(periodIndex: index, allocation: 1000, carryIn: carry), "period \(index)")
        }
    }

    @Test func savingsUnderCarryAllStopAtTheMaximumAfterAnyGap() {
        let policy = Self.policy(limit: 1, .all)
        let state = PeriodBalance(periodIndex: 0, allocation: 1)
        #expect(QuotaPolicy.rollForward(state: state, to: 1 << 40, policy: policy).carryIn == 1 << 40)
        #expect(QuotaPolicy.rollForward(state: state, to: .max, policy: policy).carryIn == Self.maximum)
    }

    @Test func aDebtIsPaidOffByLaterAllocationsAfterAnyGap() {
        let policy = Self.policy(limit: 3, .none, .deductFromNext)
        let state = PeriodBalance(periodIndex: -5, allocation: 3, used: Self.maximum)
        #expect(QuotaPolicy.rollForward(state: state, to: .max, policy: policy).carryIn == 0)
        let owed = -(Self.maximum - 3)
        #expect(QuotaPolicy.rollForward(state: state, to: -3, policy: policy).carryIn == owed + 3)
    }

    @Test func rollingForwardAtOnceEqualsRollingOnePeriodAtATime() {
        let rules: [CarryOver] = [
            .none, .all, .capped(0), .capped(1700), .cappedPercent(0), .cappedPercent(35), .cappedPercent(100),
        ]
        var generator = SeededGenerator(seed: 9)
        for _ in 0..<3000 {
            let policy = Self.policy(
                limit: Int64.random(in: 0...3000, using: &generator),
                rules.randomElement(using: &generator)!,
                Bool.random(using: &generator) ? .forgive : .deductFromNext
            )
            let state = PeriodBalance(
                periodIndex: Int64.random(in: -50...50, using: &generator),
                allocation: Int64.random(in: 0...3000, using: &generator),
                carryIn: Int64.random(in: -5000...5000, using: &generator),
                grants: Int64.random(in: 0...2000, using: &generator),
                used: Int64.random(in: 0...15_000, using: &generator)
            )
            let index = state.periodIndex + Int64.random(in: 0...40, using: &generator)
            let expected = Self.oneAtATime(state, to: index, policy)
            let rolled = QuotaPolicy.rollForward(state: state, to: index, policy: policy)
            #expect(rolled == expected, "\(policy.carryOver) \(policy.overspend) \(state)")
        }
    }

    /// The rule applied literally, as the Lua script loops.
    static func oneAtATime(_ state: PeriodBalance, to index: Int64, _ policy: QuotaPolicy) -> PeriodBalance {
        var balance = state
        while balance.periodIndex < index {
            let carry = QuotaPolicy.carryIn(
                previousRemaining: balance.remaining,
                allocation: balance.allocation,
                carryOver: policy.carryOver,
                overspend: policy.overspend
            )
            balance = PeriodBalance(periodIndex: balance.periodIndex + 1, allocation: policy.limit, carryIn: carry)
        }
        return balance
    }

    @Test func aNewStudentOpensWithTheLimit() {
        #expect(Self.policy(.all).openingBalance(periodIndex: 7) == PeriodBalance(periodIndex: 7, allocation: 1000))
        #expect(Self.policy(.all).openingBalance(periodIndex: 7).remaining == 1000)
    }

    @Test func remainingSaturatesInsteadOfTrapping() {
        #expect(PeriodBalance(periodIndex: 0, allocation: 0, used: .min).remaining == .max)
        #expect(PeriodBalance(periodIndex: 0, allocation: .max, grants: .max).remaining == .max)
    }
}
