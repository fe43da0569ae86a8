import Foundation

/// Writes and reads keys, students and policies in Redis. The coordinator writes through it; edges read.
/// Every write announces itself on `DirectoryKeys.invalidations`, so edges drop stale cache entries at once.
public struct Directory: Sendable {
    let pool: RedisPool

    public init(pool: RedisPool) {
        self.pool = pool
    }

    public enum DirectoryError: Error, Equatable, CustomStringConvertible {
        case invalidID(String)
        case unknownKey
        case revokedIsFinal

        public var description: String {
            switch self {
            case .invalidID(let id): "`\(id)` is not a valid course or student id (1–128 characters, no spaces, braces, colons or slashes)"
            case .unknownKey: "no such key"
            case .revokedIsFinal: "a revoked key cannot change state"
            }
        }
    }

    // MARK: - Keys

    /// Stores a newly issued key (by its hash) for `record.student`.
    public func issueKey(sha256Hex: String, record: KeyRecord) async throws {
        try Self.validate(record.student)
        let json = String(decoding: try JSONEncoder().encode(record), as: UTF8.self)
        try await self.write(
            ["SET", DirectoryKeys.key(sha256Hex: sha256Hex), json],
            announcing: .key(sha256Hex: sha256Hex)
        )
    }

    /// Suspends, reinstates or revokes a key. Revoking is final, also against a concurrent change: the
    /// check and the write are one script.
    public func setKeyState(sha256Hex: String, _ state: KeyState) async throws {
        let reply = try await self.pool.withConnection { connection in
            try await connection.evaluate(
                Self.setKeyStateScript,
                keys: [DirectoryKeys.key(sha256Hex: sha256Hex)],
                arguments: [state.rawValue, DirectoryKeys.invalidations, Invalidation.key(sha256Hex: sha256Hex).payload]
            )
        }
        switch reply.integer {
        case 1: return
        case -1: throw DirectoryError.unknownKey
        case -2: throw DirectoryError.revokedIsFinal
        default: throw QuotaStoreError.unexpectedReply
        }
    }

    /// KEYS: the key's record. ARGV: new state, channel, announcement. Reply: 1, -1 (no such key), -2 (revoked).
    static let setKeyStateScript = RedisScript(
        """
        local stored = redis.call('GET', KEYS[1])
        if not stored then return -1 end
        local record = cjson.decode(stored)
        if record.state == 'revoked' and ARGV[1] ~= 'revoked' then return -2 end
        record.state = ARGV[1]
        redis.call('SET', KEYS[1], cjson.encode(record))
        redis.call('PUBLISH', ARGV[2], ARGV[3])
        return 1
        """
    )

    public func key(sha256Hex: String) async throws -> KeyRecord? {
        let reply = try await self.pool.withConnection { try await $0.command(["GET", DirectoryKeys.key(sha256Hex: sha256Hex)]) }
        guard case .data(let bytes) = reply else { return nil }
        return try JSONDecoder().decode(KeyRecord.self, from: Data(bytes))
    }

    // MARK: - Policies

    /// Sets the course's policy, or one student's override of it.
    public func setPolicy(_ policy: QuotaPolicy, course: String, student: String? = nil) async throws {
        let json = String(decoding: try JSONEncoder().encode(policy), as: UTF8.self)
        let (key, invalidation) = try Self.policyKey(course: course, student: student)
        try await self.write(["SET", key, json], announcing: invalidation)
    }

    /// Drops one student's override, so the course's policy applies again.
    public func removePolicyOverride(_ student: StudentRef) async throws {
        let (key, invalidation) = try Self.policyKey(course: student.course, student: student.student)
        try await self.write(["DEL", key], announcing: invalidation)
    }

    /// The policy that applies to `student`: their override, else the course's; nil if neither is set.
    public func policy(for student: StudentRef) async throws -> QuotaPolicy? {
        let replies = try await self.pool.withConnection { connection in
            try await connection.pipeline([
                ["GET", DirectoryKeys.studentPolicy(student)], ["GET", DirectoryKeys.coursePolicy(student.course)],
            ])
        }
        for reply in replies {
            if case .data(let bytes) = try reply.get() { return try JSONDecoder().decode(QuotaPolicy.self, from: Data(bytes)) }
        }
        return nil
    }

    /// Runs one write and announces it; an error reply to either throws, so no change is reported done
    /// that did not happen.
    private func write(_ command: [String], announcing invalidation: Invalidation) async throws {
        let replies = try await self.pool.withConnection { connection in
            try await connection.pipeline([command, ["PUBLISH", DirectoryKeys.invalidations, invalidation.payload]])
        }
        for reply in replies { _ = try reply.get() }
    }

    static func policyKey(course: String, student: String?) throws -> (String, Invalidation) {
        guard StudentRef.isValidID(course) else { throw DirectoryError.invalidID(course) }
        guard let student else { return (DirectoryKeys.coursePolicy(course), .coursePolicy(course: course)) }
        let ref = StudentRef(course: course, student: student)
        try Self.validate(ref)
        return (DirectoryKeys.studentPolicy(ref), .studentPolicy(ref))
    }

    static func validate(_ student: StudentRef) throws {
        for id in [student.course, student.student] where !StudentRef.isValidID(id) {
            throw DirectoryError.invalidID(id)
        }
    }
}
