import Foundation

extension Directory {
    /// Puts back a key Redis lost, unless Redis has it: an edge may have suspended it since (a leak), and that
    /// newer state wins.
    /// - Returns: whether the key was missing and is now restored.
    @discardableResult
    public func restoreKey(sha256Hex: String, record: KeyRecord) async throws -> Bool {
        let json = String(decoding: try JSONEncoder().encode(record), as: UTF8.self)
        let reply = try await self.pool.withConnection { try await $0.command(["SET", DirectoryKeys.key(sha256Hex: sha256Hex), json, "NX"]) }
        return reply == .status("OK")
    }

    /// Puts back a course policy or a student override Redis lost, unless Redis has one.
    @discardableResult
    public func restorePolicy(_ policy: QuotaPolicy, course: String, student: String? = nil) async throws -> Bool {
        let json = String(decoding: try JSONEncoder().encode(policy), as: UTF8.self)
        let (key, _) = try Self.policyKey(course: course, student: student)
        return try await self.pool.withConnection { try await $0.command(["SET", key, json, "NX"]) } == .status("OK")
    }
}

extension QuotaStore {
    /// What a student's balance was this period, from the system of record, in the policy's unit.
    public struct RestoredBalance: Sendable, Equatable {
        public var periodIndex: Int64
        public var allocation: Int64
        public var carry: Int64
        public var grants: Int64
        public var used: Int64
        /// The requests `used` already counts that an edge may still settle (the last day's): marked settled,
        /// so a settle that was waiting for Redis to come back does not count them again.
        public var settledLeases: [String]

        public init(periodIndex: Int64, allocation: Int64, carry: Int64, grants: Int64, used: Int64, settledLeases: [String] = []) {
            self.periodIndex = periodIndex
            self.allocation = allocation
            self.carry = carry
            self.grants = grants
            self.used = used
            self.settledLeases = settledLeases
        }
    }

    /// Writes `balance` for `student` unless Redis still holds a balance for them (then Redis is newer), and
    /// marks its `settledLeases` settled either way.
    /// - Returns: whether the balance was written.
    @discardableResult
    public func restore(_ balance: RestoredBalance, for student: StudentRef, now: Date = Date()) async throws -> Bool {
        let reply = try await self.pool.withConnection { connection in
            try await connection.evaluate(
                Self.restoreScript, keys: [QuotaKeys.balance(student), QuotaKeys.settled(student)],
                arguments: [balance.periodIndex, balance.allocation, balance.carry, balance.grants, balance.used, Int64(now.timeIntervalSince1970 * 1000)]
                    .map { String($0) } + balance.settledLeases
            )
        }
        return reply.integer == 1
    }

    /// KEYS: balance, settled. ARGV: period, alloc, carry, grants, used, now (ms), then lease ids counted in `used`.
    /// Reply: 1 written, 0 already there.
    static let restoreScript = RedisScript(
        """
        for i = 7, #ARGV do redis.call('ZADD', KEYS[2], 'NX', ARGV[6], ARGV[i]) end
        if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
        redis.call('HSET', KEYS[1], 'period', ARGV[1], 'alloc', ARGV[2], 'carry', ARGV[3], 'grants', ARGV[4], 'used', ARGV[5], 'held', '0')
        return 1
        """
    )
}

extension Directory {
    /// A plain string value the coordinator keeps in Redis (such as the rebuild marker); nil when absent.
    public func marker(_ name: String) async throws -> String? {
        try await self.pool.withConnection { try await $0.command(["GET", name]) }.string
    }

    public func setMarker(_ name: String, value: String) async throws {
        _ = try await self.pool.withConnection { try await $0.command(["SET", name, value]) }
    }
}
