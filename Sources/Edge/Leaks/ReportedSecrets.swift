import Shared

/// Which secrets each student has already been reported for, in Redis, so that the conversation Claude Code
/// resends every turn raises one incident, not one per turn, on whichever edge serves it.
struct ReportedSecrets: Sendable {
    let pool: RedisPool

    static func key(_ student: StudentRef) -> String { "goosey:leaks:reported:\(student.course):\(student.student)" }

    /// The hashes among `hashes` not yet reported for `student`.
    func unreported(_ hashes: [String], for student: StudentRef) async throws -> Set<String> {
        guard !hashes.isEmpty else { return [] }
        let reply = try await self.pool.withConnection { try await $0.command(["SMISMEMBER", Self.key(student)] + hashes) }
        guard case .array(let members) = reply, members.count == hashes.count else { throw QuotaStoreError.unexpectedReply }
        return Set(zip(hashes, members).filter { $0.1.integer == 0 }.map(\.0))
    }

    /// Marks `hashes` reported; returns those this call marked (another edge may have been first).
    func markReported(_ hashes: [String], for student: StudentRef) async throws -> Set<String> {
        guard !hashes.isEmpty else { return [] }
        let replies = try await self.pool.withConnection { connection in
            try await connection.pipeline(hashes.map { ["SADD", Self.key(student), $0] })
        }
        var marked: Set<String> = []
        for (hash, reply) in zip(hashes, replies) where try reply.get().integer == 1 { marked.insert(hash) }
        return marked
    }
}
