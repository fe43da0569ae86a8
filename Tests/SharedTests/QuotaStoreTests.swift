import Foundation
import Logging
import Testing

@testable import Shared

/// The quota scripts against a real Redis, checked against the reference rules in `QuotaPolicy`.
@Suite(.timeLimit(.minutes(2))) struct QuotaStoreTests {
    static let redisURL = ProcessInfo.processInfo.environment["GOOSEY_TEST_REDIS_URL"] ?? "redis://127.0.0.1:16379"

    let store: QuotaStore
    let pool: RedisPool

    init() throws {
        self.pool = RedisPool(.init(endpoint: try RedisEndpoint(url: Self.redisURL)), logger: Logger(label: "test"))
        self.store = QuotaStore(pool: self.pool)
    }

    static func freshStudent() -> StudentRef {
        StudentRef(course: "Q-\(UInt64.random(in: 0...UInt64.max))", student: "s")
    }

    static func policy(limit: Int64, carryOver: CarryOver = .none, overspend: OverspendRule = .forgive) -> QuotaPolicy {
        QuotaPolicy(limit: limit, period: try! PeriodSpec(period: "7d"), carryOver: carryOver, overspend: overspend)
    }

    static func window(_ index: Int64) -> PeriodWindow {
        try! PeriodSpec(period: "7d").window(index: index)
    }

    @Test func aHoldNeverExceedsWhatIsAvailable() async throws {
        let student = Self.freshStudent()
        let policy = Self.policy(limit: 1_000)
        let first = try await self.store.reserve(student, policy: policy, window: Self.window(100), leaseID: "a", estimate: 700, deadline: Date())
        #expect(first == .admitted(hold: 700, before: .init(periodIndex: 100, total: 1_000, used: 0, held: 0)))
        let second = try await self.store.reserve(student, policy: policy, window: Self.window(100), leaseID: "b", estimate: 700, deadline: Date())
        #expect(second == .admitted(hold: 300, before: .init(periodIndex: 100, total: 1_000, used: 0, held: 700)))
        let third = try await self.store.reserve(student, policy: policy, window: Self.window(100), leaseID: "c", estimate: 1, deadline: Date())
        #expect(third == .refused(.init(periodIndex: 100, total: 1_000, used: 0, held: 1_000)))
    }

    @Test func settlingReplacesTheHoldWithTheTruthOnce() async throws {
        let student = Self.freshStudent()
        let policy = Self.policy(limit: 1_000)
        let window = Self.window(7)
        _ = try await self.store.reserve(student, policy: policy, window: window, leaseID: "a", estimate: 600, deadline: Date())
        let first = try await self.store.settle(student, policy: policy, window: window, leaseID: "a", charge: 250)
        #expect(first.settled)
        #expect(first.balance == .init(periodIndex: 7, total: 1_000, used: 250, held: 0))
        let again = try await self.store.settle(student, policy: policy, window: window, leaseID: "a", charge: 250)
        #expect(!again.settled)
        #expect(again.balance.used == 250)
    }

    @Test func aBatchSettlesEachLeaseOnceAndOneBadKeyFailsOnlyItsOwn() async throws {
        let policy = Self.policy(limit: 1_000)
        let window = Self.window(7)
        let (first, second, broken) = (Self.freshStudent(), Self.freshStudent(), Self.freshStudent())
        for student in [first, second] {
            _ = try await self.store.reserve(student, policy: policy, window: window, leaseID: "a", estimate: 600, deadline: Date())
        }
        _ = try await self.pool.withConnection { try await $0.command(["SET", QuotaKeys.balance(broken), "not a hash"]) }
        let settle = { (student: StudentRef, charge: Int64) in
            QuotaStore.Settlement(student: student, policy: policy, window: window, leaseID: "a", charge: charge)
        }
        let outcomes = try await self.store.settle([settle(first, 250), settle(broken, 1), settle(second, 40), settle(first, 250)])
        #expect(outcomes.count == 4)
        #expect(try outcomes[0].get().settled && outcomes[0].get().balance == .init(periodIndex: 7, total: 1_000, used: 250, held: 0))
        #expect((try? outcomes[1].get()) == nil)
        #expect(try outcomes[2].get().settled && outcomes[2].get().balance.used == 40)
        #expect(try !outcomes[3].get().settled && outcomes[3].get().balance.used == 250)
    }

    @Test func aBatchReachingAServerThatForgotTheScriptIsSettledOnce() async throws {
        let policy = Self.policy(limit: 1_000)
        let window = Self.window(3)
        let students = (0..<3).map { _ in Self.freshStudent() }
        for student in students {
            _ = try await self.store.reserve(student, policy: policy, window: window, leaseID: "a", estimate: 500, deadline: Date())
        }
        _ = try await self.pool.withConnection { try await $0.command(["SCRIPT", "FLUSH"]) }
        let outcomes = try await self.store.settle(
            students.map { QuotaStore.Settlement(student: $0, policy: policy, window: window, leaseID: "a", charge: 100) }
        )
        for outcome in outcomes {
            #expect(try outcome.get().settled && outcome.get().balance == .init(periodIndex: 3, total: 1_000, used: 100, held: 0))
        }
    }

    /// The leader's period closer looks at every student; in a Redis that has just lost its data, a look that
    /// wrote an empty balance would stop the rebuild from restoring the real one.
    @Test func lookingAtAStudentWithoutABalanceLeavesThemWithout() async throws {
        let student = Self.freshStudent()
        let policy = Self.policy(limit: 1_000)
        let (balance, usage) = try await self.store.balance(student, policy: policy, window: Self.window(9))
        #expect(balance == .init(periodIndex: 9, total: 1_000, used: 0, held: 0))
        #expect(usage == TokenUsage())
        _ = try await self.store.balances([(student, policy, Self.window(9))])
        let exists = try await self.pool.withConnection { try await $0.command(["EXISTS", QuotaKeys.balance(student)]) }
        #expect(exists.integer == 0)
        _ = try await self.store.reserve(student, policy: policy, window: Self.window(9), leaseID: "a", estimate: 10, deadline: Date())
        #expect(try await self.store.balance(student, policy: policy, window: Self.window(9)).0.held == 10)
    }

    @Test func tokensByClassAreCountedPerPeriod() async throws {
        let student = Self.freshStudent()
        let policy = Self.policy(limit: 1_000_000)
        let usage = TokenUsage(inputTokens: 10, cacheCreation5mTokens: 20, cacheCreation1hTokens: 30, cacheReadTokens: 40, outputTokens: 50)
        _ = try await self.store.settle(student, policy: policy, window: Self.window(1), leaseID: "x", charge: 5, usage: usage)
        _ = try await self.store.settle(student, policy: policy, window: Self.window(1), leaseID: "y", charge: 5, usage: usage)
        #expect(try await self.store.balance(student, policy: policy, window: Self.window(1)).1 == usage + usage)
        #expect(try await self.store.balance(student, policy: policy, window: Self.window(2)).1 == .zero)
    }

    @Test(arguments: [(CarryOver.all, Int64(700)), (.none, 0), (.capped(800), 700)])
    func aStreamThatOutlivesItsPeriodIsChargedToThatPeriod(carryOver: CarryOver, carryAfter: Int64) async throws {
        let student = Self.freshStudent()
        let policy = Self.policy(limit: 1_000, carryOver: carryOver)
        let usage = TokenUsage(inputTokens: 10, outputTokens: 50)
        _ = try await self.store.reserve(student, policy: policy, window: Self.window(10), leaseID: "long", estimate: 400, deadline: Date())
        _ = try await self.store.reserve(student, policy: policy, window: Self.window(11), leaseID: "next", estimate: 100, deadline: Date())
        let late = try await self.store.settle(student, policy: policy, window: Self.window(10), leaseID: "long", charge: 300, usage: usage)
        #expect(late.settled)
        #expect(late.balance == .init(periodIndex: 11, total: 1_000 + carryAfter, used: 0, held: 100))
        #expect(try await self.store.closedPeriods(student).map { [$0.index, $0.used] } == [[10, 300]])
        #expect(try await self.store.balance(student, policy: policy, window: Self.window(11)).1 == .zero, "period 11's tokens")
    }

    /// A request Redis counts as settled already (a Redis rebuilt from the ledger) whose lease is still open: settling
    /// it closes the lease, so the reconciliation does not find it again, nor charge it once the day is up.
    @Test func settlingALeaseSettledAlreadyClosesIt() async throws {
        let student = Self.freshStudent()
        let policy = Self.policy(limit: 1_000)
        _ = try await self.store.settle(student, policy: policy, window: Self.window(3), leaseID: "r1", charge: 500)
        #expect(try await !self.store.openUnsettled(student, leaseID: "r1"), "settled already: nothing to open")
        _ = try await self.pool.withConnection { try await $0.command(["HSET", QuotaKeys.leases(student), "r1", "0:1000"]) }
        _ = try await self.pool.withConnection { try await $0.command(["ZADD", QuotaKeys.deadlines(student), "1000", "r1"]) }
        let again = try await self.store.settle(student, policy: policy, window: Self.window(3), leaseID: "r1", charge: 500)
        #expect(!again.settled && again.balance.used == 500)
        #expect(try await self.store.expiredLeases(before: Date()).filter { $0.student == student }.isEmpty)
    }

    /// A lease written before leases named their period (`hold:deadline`), still open at the next boundary, is of
    /// the closing period: settling it leaves the new period's holds alone.
    @Test func aLeaseFromBeforeTheUpgradeSettlesAsOneOfItsPeriod() async throws {
        let student = Self.freshStudent()
        let policy = Self.policy(limit: 1_000)
        _ = try await self.store.reserve(student, policy: policy, window: Self.window(10), leaseID: "old", estimate: 200, deadline: Date())
        _ = try await self.pool.withConnection { try await $0.command(["HSET", QuotaKeys.leases(student), "old", "200:1000"]) }
        _ = try await self.store.reserve(student, policy: policy, window: Self.window(11), leaseID: "new", estimate: 50, deadline: Date())
        let settled = try await self.store.settle(student, policy: policy, window: Self.window(10), leaseID: "old", charge: 100)
        #expect(settled.balance.held == 50, "the new period's lease still holds its 50")
    }

    /// A charge settled two periods late (its edge or the leader was away) still reaches the balance through the
    /// carry of every period closed since: deducted overspend is not forgiven by coming late.
    @Test func aSettleTwoPeriodsLateCarriesThroughEveryPeriodClosedSince() async throws {
        let student = Self.freshStudent()
        let policy = Self.policy(limit: 1_000, overspend: .deductFromNext)
        _ = try await self.store.reserve(student, policy: policy, window: Self.window(10), leaseID: "long", estimate: 1_000, deadline: Date())
        _ = try await self.store.reserve(student, policy: policy, window: Self.window(12), leaseID: "now", estimate: 1, deadline: Date())
        let late = try await self.store.settle(student, policy: policy, window: Self.window(10), leaseID: "long", charge: 3_000)
        #expect(late.balance == .init(periodIndex: 12, total: 0, used: 0, held: 1), "-2,000 into period 11, -1,000 on into 12")
        #expect(try await self.store.closedPeriods(student).map { [$0.index, $0.carryIn, $0.used] } == [[10, 0, 3_000], [11, -2_000, 0]])
    }

    /// A stream still open when the period ends is charged to that period, so its hold keeps nothing of the new
    /// period's allowance from the student, renewed or not, and its settling leaves the new period's holds alone.
    @Test func aHoldFromAnEndedPeriodDoesNotHoldBackTheNewOne() async throws {
        let student = Self.freshStudent()
        let policy = Self.policy(limit: 1_000)
        _ = try await self.store.reserve(student, policy: policy, window: Self.window(10), leaseID: "long", estimate: 1_000, deadline: Date())
        let next = try await self.store.reserve(student, policy: policy, window: Self.window(11), leaseID: "next", estimate: 10, deadline: Date())
        #expect(next == .admitted(hold: 10, before: .init(periodIndex: 11, total: 1_000, used: 0, held: 0)))
        #expect(try await self.store.renew(student, leaseID: "long", deadline: Date().addingTimeInterval(600)))
        let late = try await self.store.settle(student, policy: policy, window: Self.window(10), leaseID: "long", charge: 300)
        #expect(late.balance == .init(periodIndex: 11, total: 1_000, used: 0, held: 10))
        let settled = try await self.store.settle(student, policy: policy, window: Self.window(11), leaseID: "next", charge: 4)
        #expect(settled.balance == .init(periodIndex: 11, total: 1_000, used: 4, held: 0))
        #expect(try await self.store.closedPeriods(student).map { [$0.index, $0.used] } == [[10, 300]])
    }

    /// Staff make a week a fortnight, or a day: the balance's index counted other periods. The running period goes
    /// on as the new spec's current one (not frozen until the old index comes round, nor rolled over a thousand
    /// times with carry-over), and a stream admitted before the change settles into it.
    @Test func aPeriodOfAnotherLengthCarriesTheRunningPeriodOn() async throws {
        let student = Self.freshStudent()
        let now = Date(timeIntervalSince1970: 1_795_000_000)  // 2026-11-18
        let weekly = QuotaPolicy(limit: 1_000, period: try PeriodSpec(period: "7d"), carryOver: .all, overspend: .forgive)
        let fortnightly = QuotaPolicy(limit: 2_000, period: try PeriodSpec(period: "14d"), carryOver: .all, overspend: .forgive)
        let daily = QuotaPolicy(limit: 100, period: try PeriodSpec(period: "1d"), carryOver: .all, overspend: .forgive)
        let week = weekly.period.window(containing: now)
        _ = try await self.store.reserve(student, policy: weekly, window: week, leaseID: "long", estimate: 600, deadline: now)
        _ = try await self.store.settle(student, policy: weekly, window: week, leaseID: "spent", charge: 300)

        let fortnight = fortnightly.period.window(containing: now)
        let longer = try await self.store.reserve(student, policy: fortnightly, window: fortnight, leaseID: "f", estimate: 10, deadline: now)
        #expect(longer == .admitted(hold: 10, before: .init(periodIndex: fortnight.index, total: 2_000, used: 300, held: 600)))
        let settled = try await self.store.settle(student, policy: weekly, window: week, leaseID: "long", charge: 500)
        #expect(settled.balance == .init(periodIndex: fortnight.index, total: 2_000, used: 800, held: 10), "charged to the running period")
        let next = fortnightly.period.window(index: fortnight.index + 1)
        let after = try await self.store.reserve(student, policy: fortnightly, window: next, leaseID: "g", estimate: 1, deadline: now)
        #expect(after == .admitted(hold: 1, before: .init(periodIndex: next.index, total: 2_000 + 1_200, used: 0, held: 0)))

        let day = daily.period.window(containing: next.start)
        let shorter = try await self.store.reserve(student, policy: daily, window: day, leaseID: "d", estimate: 1, deadline: now)
        #expect(shorter == .admitted(hold: 1, before: .init(periodIndex: day.index, total: 100 + 1_200, used: 0, held: 1)), "no rollovers between index spaces")
    }

    /// A limit raised mid-period is what the period closes with, and carries from (a script that wrote back only
    /// the fields it moved would close with the old one).
    @Test func aLimitRaisedMidPeriodIsWhatThePeriodClosesWith() async throws {
        let student = Self.freshStudent()
        let before = Self.policy(limit: 1_000, carryOver: .all)
        let raised = Self.policy(limit: 5_000, carryOver: .all)
        _ = try await self.store.reserve(student, policy: before, window: Self.window(3), leaseID: "a", estimate: 100, deadline: Date())
        let second = try await self.store.reserve(student, policy: raised, window: Self.window(3), leaseID: "b", estimate: 100, deadline: Date())
        #expect(second == .admitted(hold: 100, before: .init(periodIndex: 3, total: 5_000, used: 0, held: 100)))
        _ = try await self.store.settle(student, policy: raised, window: Self.window(3), leaseID: "a", charge: 60)
        _ = try await self.store.settle(student, policy: raised, window: Self.window(3), leaseID: "b", charge: 40)
        let next = try await self.store.reserve(student, policy: raised, window: Self.window(4), leaseID: "c", estimate: 1, deadline: Date())
        #expect(next == .admitted(hold: 1, before: .init(periodIndex: 4, total: 5_000 + 4_900, used: 0, held: 0)))
    }

    @Test func expiredLeasesAreListedByDeadline() async throws {
        let student = Self.freshStudent()
        let policy = Self.policy(limit: 1_000)
        let past = Date(timeIntervalSince1970: 1_000)
        _ = try await self.store.reserve(student, policy: policy, window: Self.window(1), leaseID: "old", estimate: 10, deadline: past)
        _ = try await self.store.reserve(student, policy: policy, window: Self.window(1), leaseID: "new", estimate: 10, deadline: Date().addingTimeInterval(600))
        let expired = try await self.pool.withConnection {
            try await $0.command(["ZRANGEBYSCORE", QuotaKeys.deadlines(student), "-inf", String(Date().timeIntervalSince1970 * 1000)])
        }
        #expect(expired.array?.compactMap(\.string) == ["old"])
        #expect(try await self.store.renew(student, leaseID: "old", deadline: Date().addingTimeInterval(600)))
        _ = try await self.store.settle(student, policy: policy, window: Self.window(1), leaseID: "new", charge: 1)
        #expect(try await !self.store.renew(student, leaseID: "new", deadline: Date()))
    }

    @Test func grantsAddToTheCurrentPeriodOnly() async throws {
        let student = Self.freshStudent()
        let policy = Self.policy(limit: 1_000)
        #expect(try await self.store.grant(student, policy: policy, window: Self.window(3), amount: 500).total == 1_500)
        #expect(try await self.store.balance(student, policy: policy, window: Self.window(4)).0.total == 1_000)
    }

    @Test func theCourseReserveIsCappedPerStudentAndRefilledEachPeriod() async throws {
        let course = "R-\(UInt64.random(in: 0...UInt64.max))"
        let student = { (id: String) in StudentRef(course: course, student: id) }
        let policy = Self.policy(limit: 1_000)
        let reserve = CourseReserve(total: 1_000, capPerStudent: 400)
        let draw = { (id: String, index: Int64, wanted: Int64) in
            try await self.store.drawReserve(reserve, for: student(id), policy: policy, window: Self.window(index), wanted: wanted)
        }
        #expect(try await draw("a", 5, 300).drawn == 300)
        let capped = try await draw("a", 5, 300)
        #expect(capped.drawn == 100)  // a's cap of 400
        #expect(capped.balance?.total == 1_400)  // granted to a for this period
        #expect(try await draw("a", 5, 300).drawn == 0)
        #expect(try await draw("b", 5, 500).drawn == 400)
        #expect(try await draw("c", 5, 400).drawn == 200)  // what is left of 1,000
        #expect(try await draw("d", 5, 1).drawn == 0)
        #expect(try await draw("a", 6, 300).drawn == 300)  // a new period refills it
        #expect(try await self.store.balance(student("a"), policy: policy, window: Self.window(6)).0.total == 1_300)
    }

    /// Students whose periods count differently (a daily override in a weekly course) take turns drawing: the
    /// pool refills at neither's boundary, so each stays within their cap.
    @Test func studentsOnAnotherPeriodSpecCannotRefillTheReserveByTakingTurns() async throws {
        let course = "R-\(UInt64.random(in: 0...UInt64.max))"
        let weekly = Self.policy(limit: 1_000)
        let daily = QuotaPolicy(limit: 1_000, period: try PeriodSpec(period: "1d"), carryOver: .none, overspend: .forgive)
        let now = Date(timeIntervalSince1970: 1_795_000_000)
        let reserve = CourseReserve(total: 1_000, capPerStudent: 400)
        let draw = { (id: String, policy: QuotaPolicy) in
            try await self.store.drawReserve(
                reserve, for: StudentRef(course: course, student: id), policy: policy, window: policy.period.window(containing: now), wanted: 400
            ).drawn
        }
        #expect(try await draw("a", weekly) == 400)
        #expect(try await draw("b", daily) == 400)
        #expect(try await draw("a", weekly) == 0, "a's cap, not a refilled pool")
        #expect(try await draw("c", weekly) == 200, "what is left of 1,000")
        let behind = try await self.store.drawReserve(
            reserve, for: StudentRef(course: course, student: "d"), policy: weekly, window: weekly.period.window(index: weekly.period.window(containing: now).index - 1), wanted: 1
        )
        #expect(behind.drawn == 0, "an edge whose clock is behind a boundary refills nothing")
    }

    static let rolloverCases: [(CarryOver, OverspendRule)] = [
        (.none, .forgive), (.all, .forgive), (.capped(300), .forgive), (.cappedPercent(25), .forgive),
        (.none, .deductFromNext), (.all, .deductFromNext), (.cappedPercent(50), .deductFromNext),
    ]

    /// Random spending over random (sometimes skipped) periods, in Redis and in the reference, side by side.
    @Test(arguments: rolloverCases)
    func rolloverMatchesTheReferenceRule(carryOver: CarryOver, overspend: OverspendRule) async throws {
        let student = Self.freshStudent()
        let policy = Self.policy(limit: 1_000, carryOver: carryOver, overspend: overspend)
        var generator = SeededGenerator(seed: 42)
        var reference = policy.openingBalance(periodIndex: 10)
        var index: Int64 = 10
        _ = try await self.store.grant(student, policy: policy, window: Self.window(index), amount: 0)  // the student's first period
        for step in 0..<40 {
            index += [0, 0, 1, 1, 2, 5].randomElement(using: &generator)!
            reference = QuotaPolicy.rollForward(state: reference, to: index, policy: policy)
            let charge = Int64.random(in: 0...700, using: &generator)
            reference.used += charge
            let result = try await self.store.settle(student, policy: policy, window: Self.window(index), leaseID: "l\(step)", charge: charge)
            #expect(result.balance.periodIndex == index)
            #expect(result.balance.total == reference.allocation + reference.carryIn + reference.grants, "step \(step)")
            #expect(result.balance.used == reference.used, "step \(step)")
        }
    }

    /// 64 requests at once from one student with little left: admitted ones hold at most what was left, and
    /// every settled charge is counted exactly once.
    @Test func concurrentRequestsOverspendOnlyByWhatWasInFlight() async throws {
        let student = Self.freshStudent()
        let policy = Self.policy(limit: 10_000)
        let window = Self.window(1)
        let outcomes = try await withThrowingTaskGroup(of: (Bool, Int64, Int64).self) { group in
            for request in 0..<64 {
                group.addTask {
                    let reservation = try await self.store.reserve(
                        student, policy: policy, window: window, leaseID: "r\(request)", estimate: 1_500, deadline: Date()
                    )
                    guard case .admitted(let hold, _) = reservation else { return (false, 0, 0) }
                    let actual = Int64(500 + request * 37 % 2_000)
                    try await self.store.settle(student, policy: policy, window: window, leaseID: "r\(request)", charge: actual)
                    return (true, hold, actual)
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let admitted = outcomes.filter(\.0)
        let charged = admitted.map(\.2).reduce(0, +)
        let (balance, _) = try await self.store.balance(student, policy: policy, window: window)
        #expect(balance.used == charged)
        #expect(balance.held == 0)
        #expect(admitted.count < 64)
        // Overspend is bounded by what admitted requests cost beyond what they held.
        let beyondHolds = admitted.map { max($0.2 - $0.1, 0) }.reduce(0, +)
        #expect(balance.used - policy.limit <= beyondHolds)
    }
}
