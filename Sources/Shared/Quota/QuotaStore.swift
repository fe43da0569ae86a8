import Foundation

/// Reserves, settles and grants allowance in Redis, one atomic script call each.
///
/// Amounts are in the policy's unit (milli-tokens or pico-dollars). The caller passes the period window
/// it computed for now; the scripts roll the balance over to it if a boundary has passed.
public struct QuotaStore: Sendable {
    let pool: RedisPool

    public init(pool: RedisPool) {
        self.pool = pool
    }

    /// A student's standing in the current period.
    public struct Balance: Sendable, Equatable {
        public var periodIndex: Int64
        /// This period's allocation plus carry-over plus grants.
        public var total: Int64
        /// Settled charges.
        public var used: Int64
        /// Held by requests in flight.
        public var held: Int64

        /// What is left once settled charges are taken; may be negative after an overspend.
        public var remaining: Int64 { self.total - self.used }
    }

    public enum Reservation: Sendable, Equatable {
        /// The request may go; `hold` is set aside until it settles. `before` is the standing before it.
        case admitted(hold: Int64, before: Balance)
        /// Nothing is left to hold.
        case refused(Balance)
    }

    /// Holds up to `estimate` for a request, or refuses when less than `minimum` is available.
    public func reserve(
        _ student: StudentRef,
        policy: QuotaPolicy,
        window: PeriodWindow,
        leaseID: String,
        estimate: Int64,
        deadline: Date,
        minimum: Int64 = 1
    ) async throws -> Reservation {
        let keys = [QuotaKeys.balance(student), QuotaKeys.closed(student), QuotaKeys.leases(student), QuotaKeys.deadlines(student)]
        let arguments = Self.rolloverArguments(policy, window) + [
            leaseID, String(max(estimate, 0)), String(Self.milliseconds(deadline)), String(minimum),
        ]
        let reply = try await self.pool.withConnection { try await $0.evaluate(QuotaScripts.reserve, keys: keys, arguments: arguments) }
        let values = try Self.integers(reply, count: 6)
        let before = Balance(periodIndex: values[2], total: values[3], used: values[4], held: values[5])
        return values[0] == 1 ? .admitted(hold: values[1], before: before) : .refused(before)
    }

    /// Replaces a lease's hold with what the request really cost. Settling the same lease again changes nothing.
    /// - Returns: whether this call settled it, and the standing afterwards.
    @discardableResult
    public func settle(
        _ student: StudentRef,
        policy: QuotaPolicy,
        window: PeriodWindow,
        leaseID: String,
        charge: Int64,
        usage: TokenUsage = .zero
    ) async throws -> (settled: Bool, balance: Balance) {
        let settlement = Settlement(student: student, policy: policy, window: window, leaseID: leaseID, charge: charge, usage: usage)
        return try await self.settle([settlement])[0].get()
    }

    /// What one finished request cost, to replace its lease's hold with.
    public struct Settlement: Sendable {
        public var student: StudentRef
        public var policy: QuotaPolicy
        /// The period the lease was taken in.
        public var window: PeriodWindow
        public var leaseID: String
        public var charge: Int64
        public var usage: TokenUsage

        public init(student: StudentRef, policy: QuotaPolicy, window: PeriodWindow, leaseID: String, charge: Int64, usage: TokenUsage = .zero) {
            self.student = student
            self.policy = policy
            self.window = window
            self.leaseID = leaseID
            self.charge = charge
            self.usage = usage
        }
    }

    /// Settles several leases in one round trip, each as ``settle(_:policy:window:leaseID:charge:usage:)`` does.
    /// - Parameter sendWithin: how long the settlements may wait to go to Redis with the next command sent on
    ///   the same connection (a request's reserve); nil sends them at once.
    /// - Returns: per settlement, in order, whether this call settled it and the standing afterwards, or why not.
    /// - Throws: `RedisError` when the connection failed, so nothing is known of any of them.
    public func settle(
        _ settlements: [Settlement], sendWithin: Duration? = nil
    ) async throws -> [Result<(settled: Bool, balance: Balance), any Error>] {
        let now = String(Self.milliseconds(Date()))
        let calls = settlements.map { settlement in
            let student = settlement.student
            let keys = [
                QuotaKeys.balance(student), QuotaKeys.closed(student), QuotaKeys.leases(student),
                QuotaKeys.deadlines(student), QuotaKeys.settled(student),
            ]
            let usage = settlement.usage
            let classes = [usage.inputTokens, usage.cacheCreation5mTokens, usage.cacheCreation1hTokens, usage.cacheReadTokens, usage.outputTokens]
            let arguments = Self.rolloverArguments(settlement.policy, settlement.window)
                + [settlement.leaseID, String(max(settlement.charge, 0))] + classes.map { String($0) } + [now]
            return (keys, arguments)
        }
        return try await self.evaluateAll(QuotaScripts.settle, calls, sendWithin: sendWithin).map { reply in
            Result {
                let values = try Self.integers(try reply.get(), count: 5)
                return (values[0] == 1, Balance(periodIndex: values[1], total: values[2], used: values[3], held: values[4]))
            }
        }
    }

    /// Leaves a request served while Redis was unreachable to the coordinator's reconciliation: an expired lease
    /// that holds nothing, which it settles with the request's recorded charge (see `QuotaScripts.openUnsettled`).
    /// - Returns: whether the lease was opened (false: it was open or settled already).
    @discardableResult
    public func openUnsettled(_ student: StudentRef, leaseID: String, now: Date = Date()) async throws -> Bool {
        let keys = [QuotaKeys.leases(student), QuotaKeys.deadlines(student), QuotaKeys.settled(student)]
        let reply = try await self.pool.withConnection {
            try await $0.evaluate(QuotaScripts.openUnsettled, keys: keys, arguments: [leaseID, String(Self.milliseconds(now))])
        }
        return reply.integer == 1
    }

    /// Moves an open lease's deadline, for streams that run long. - Returns: whether the lease was still open.
    public func renew(_ student: StudentRef, leaseID: String, deadline: Date) async throws -> Bool {
        let keys = [QuotaKeys.leases(student), QuotaKeys.deadlines(student)]
        let reply = try await self.pool.withConnection {
            try await $0.evaluate(QuotaScripts.renew, keys: keys, arguments: [leaseID, String(Self.milliseconds(deadline))])
        }
        return reply.integer == 1
    }

    /// Adds `amount` to the student's allowance for the current period.
    @discardableResult
    public func grant(_ student: StudentRef, policy: QuotaPolicy, window: PeriodWindow, amount: Int64) async throws -> Balance {
        let keys = Self.rolloverKeys(student)
        let arguments = Self.rolloverArguments(policy, window) + [String(amount)]
        let reply = try await self.pool.withConnection { try await $0.evaluate(QuotaScripts.grant, keys: keys, arguments: arguments) }
        return try Self.balance(Self.integers(reply, count: 4))
    }

    /// Draws up to `wanted` from the course reserve for `student` this period, as far as the reserve and
    /// the student's cap allow, and adds it to the student's grants.
    /// - Returns: what was drawn (0 when the reserve or the cap is used up) and the standing afterwards.
    public func drawReserve(
        _ reserve: CourseReserve,
        for student: StudentRef,
        policy: QuotaPolicy,
        window: PeriodWindow,
        wanted: Int64
    ) async throws -> (drawn: Int64, balance: Balance?) {
        let keys = [CourseReserveKeys.pool(student.course), CourseReserveKeys.drawn(student.course)]
        let arguments = [window.index, reserve.total, reserve.capPerStudent].map { String($0) }
            + [student.student, String(max(wanted, 0)), policy.period.indexSpace]
        let reply = try await self.pool.withConnection { try await $0.evaluate(QuotaScripts.drawReserve, keys: keys, arguments: arguments) }
        let drawn = try Self.integers(reply, count: 3)[0]
        guard drawn > 0 else { return (0, nil) }
        // Drawn but not granted if this fails: the reserve is then short by `drawn`, never the other way round.
        return (drawn, try await self.grant(student, policy: policy, window: window, amount: drawn))
    }

    /// An open lease whose deadline has passed: its edge died or lost Redis mid-stream.
    public struct ExpiredLease: Sendable, Equatable {
        public var student: StudentRef
        public var leaseID: String
        public var hold: Int64
    }

    /// Every lease whose deadline is before `cutoff`, across all students (a `SCAN` of the deadline sets).
    public func expiredLeases(before cutoff: Date) async throws -> [ExpiredLease] {
        let connection = try await self.pool.connection()
        var expired: [ExpiredLease] = []
        for student in try await self.students(having: "deadlines") {
            let key = QuotaKeys.deadlines(student)
            let ids = try await connection.command(["ZRANGEBYSCORE", key, "-inf", "(\(Self.milliseconds(cutoff))"])
            for id in ids.array?.compactMap(\.string) ?? [] {
                let lease = try await connection.command(["HGET", QuotaKeys.leases(student), id])
                let hold = lease.string.flatMap { $0.split(separator: ":").first.flatMap { Int64($0) } } ?? 0
                expired.append(ExpiredLease(student: student, leaseID: id, hold: hold))
            }
        }
        return expired
    }

    /// A period the scripts closed, as they closed it.
    public struct ClosedPeriod: Sendable, Equatable {
        public var index: Int64
        public var allocation: Int64
        public var carryIn: Int64
        public var grants: Int64
        public var used: Int64
    }

    /// The student's closed periods still listed in Redis (the last 512), oldest first.
    public func closedPeriods(_ student: StudentRef) async throws -> [ClosedPeriod] {
        let reply = try await self.pool.withConnection { try await $0.command(["LRANGE", QuotaKeys.closed(student), "0", "-1"]) }
        return (reply.array ?? []).compactMap { entry in
            let values = (entry.string ?? "").split(separator: ":").compactMap { Int64($0) }
            guard values.count == 5 else { return nil }
            return ClosedPeriod(index: values[0], allocation: values[1], carryIn: values[2], grants: values[3], used: values[4])
        }
    }

    /// Every student with a key of `kind` (`balance`, `deadlines`…) in Redis, by `SCAN`.
    public func students(having kind: String) async throws -> [StudentRef] {
        let connection = try await self.pool.connection()
        var cursor = "0"
        var students: [StudentRef] = []
        repeat {
            let page = try await connection.command(["SCAN", cursor, "MATCH", "goosey:{*}:" + kind, "COUNT", "1000"])
            guard let parts = page.array, parts.count == 2, let next = parts[0].string, let keys = parts[1].array else {
                throw QuotaStoreError.unexpectedReply
            }
            cursor = next
            students += keys.compactMap { $0.string.flatMap { QuotaKeys.student(fromKey: $0, kind: kind) } }
        } while cursor != "0"
        return Set(students).sorted { $0.description < $1.description }  // SCAN may return a key twice
    }

    /// The student's standing now (rolling the period over if it is due) and this period's tokens by class.
    public func balance(_ student: StudentRef, policy: QuotaPolicy, window: PeriodWindow) async throws -> (Balance, TokenUsage) {
        let keys = Self.rolloverKeys(student)
        let reply = try await self.pool.withConnection {
            try await $0.evaluate(QuotaScripts.peek, keys: keys, arguments: Self.rolloverArguments(policy, window))
        }
        return try Self.standing(reply)
    }

    /// Many students' standings as ``balance(_:policy:window:)`` reads one, in one round trip (a page of 200
    /// students would otherwise wait for 200).
    public func balances(_ students: [(student: StudentRef, policy: QuotaPolicy, window: PeriodWindow)]) async throws -> [Balance] {
        let calls = students.map { entry in
            (Self.rolloverKeys(entry.student), Self.rolloverArguments(entry.policy, entry.window))
        }
        return try await self.evaluateAll(QuotaScripts.peek, calls).map { try Self.standing($0.get()).0 }
    }

    /// Runs `script` once per call, all in one write (one round trip); the calls a server that does not know
    /// the script refused (`NOSCRIPT`: they never ran) go again with its source, as `evaluate` sends them.
    private func evaluateAll(
        _ script: RedisScript, _ calls: [(keys: [String], arguments: [String])], sendWithin: Duration? = nil
    ) async throws -> [Result<RedisReply, RedisError>] {
        guard !calls.isEmpty else { return [] }
        let tails = calls.map { [String($0.keys.count)] + $0.keys + $0.arguments }
        return try await self.pool.withConnection { connection in
            var replies = try await connection.pipeline(tails.map { ["EVALSHA", script.sha1] + $0 }, sendWithin: sendWithin)
            let refused = replies.indices.filter { if case .failure(let error) = replies[$0] { error.code == "NOSCRIPT" } else { false } }
            guard !refused.isEmpty else { return replies }
            for (index, reply) in zip(refused, try await connection.pipeline(refused.map { ["EVAL", script.source] + tails[$0] })) {
                replies[index] = reply
            }
            return replies
        }
    }

    static func standing(_ reply: RedisReply) throws -> (Balance, TokenUsage) {
        let values = try Self.integers(reply, count: 9)
        let usage = TokenUsage(
            inputTokens: values[4],
            cacheCreation5mTokens: values[5],
            cacheCreation1hTokens: values[6],
            cacheReadTokens: values[7],
            outputTokens: values[8]
        )
        return (Self.balance(values), usage)
    }

    // MARK: - Arguments and replies

    /// The keys every script that rolls a balance over takes first (`QuotaScripts.rollover`).
    static func rolloverKeys(_ student: StudentRef) -> [String] {
        [QuotaKeys.balance(student), QuotaKeys.closed(student), QuotaKeys.leases(student)]
    }

    static func rolloverArguments(_ policy: QuotaPolicy, _ window: PeriodWindow) -> [String] {
        let (rule, parameter): (String, Int64) =
            switch policy.carryOver {
            case .none: ("none", 0)
            case .all: ("all", 0)
            case .capped(let amount): ("cap", amount)
            case .cappedPercent(let percent): ("pct", Int64(percent))
            }
        let overspend = policy.overspend == .deductFromNext ? "deduct" : "forgive"
        return [String(window.index), String(policy.limit), rule, String(parameter), overspend, policy.period.indexSpace]
    }

    static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }

    static func integers(_ reply: RedisReply, count: Int) throws -> [Int64] {
        guard let elements = reply.array, elements.count == count else { throw QuotaStoreError.unexpectedReply }
        let values = elements.compactMap(\.integer)
        guard values.count == count else { throw QuotaStoreError.unexpectedReply }
        return values
    }

    static func balance(_ values: [Int64]) -> Balance {
        Balance(periodIndex: values[0], total: values[1], used: values[2], held: values[3])
    }
}

public enum QuotaStoreError: Error, Equatable {
    /// A script answered in a shape this code does not expect (a different version running?).
    case unexpectedReply
}
