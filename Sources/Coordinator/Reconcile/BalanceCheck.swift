import Foundation
import Shared

/// Compares what Redis says each student used this period with what Postgres can account for: the
/// charges of the period's stored requests plus the leases the leader settled at an estimate. Run on a
/// quiet system (nothing in flight, every spool shipped) the two agree; any difference is a token
/// counted twice or not at all.
struct BalanceCheck {
    struct Difference: Equatable, CustomStringConvertible {
        var student: StudentRef
        var redisUsed: Int64
        var postgresCharged: Int64
        var held: Int64

        var description: String {
            "\(self.student): Redis used \(self.redisUsed), Postgres accounts for \(self.postgresCharged)"
                + (self.held > 0 ? " (\(self.held) still held by requests in flight)" : "")
        }
    }

    let store: QuotaStore
    let directory: Directory
    let pool: PostgresPool

    /// - Returns: the students whose numbers differ (empty: Redis and Postgres agree).
    func differences(now: Date = Date()) async throws -> [Difference] {
        var differences: [Difference] = []
        for student in try await self.store.students(having: "balance") {
            guard let policy = try await self.directory.policy(for: student) else { continue }
            let window = policy.period.window(containing: now)
            let balance = try await self.store.balance(student, policy: policy, window: window).0
            let charged = try await self.pool.withConnection { connection in
                try await connection.query(
                    """
                    SELECT (SELECT coalesce(sum(charge), 0) FROM requests
                            WHERE course_id = $1 AND student_id = $2 AND received_at >= to_timestamp($3) AND received_at < to_timestamp($4)
                              -- a lease the leader settled at its estimate counts that, not the record that came later
                              AND id NOT IN (SELECT lease_id FROM lease_reconciliations WHERE source = 'estimate'))
                         + (SELECT coalesce(sum(charged), 0) FROM lease_reconciliations
                            WHERE course_id = $1 AND student_id = $2 AND source = 'estimate'
                              AND reconciled_at >= to_timestamp($3) AND reconciled_at < to_timestamp($4))
                    """,
                    [student.course, student.student, String(window.start.timeIntervalSince1970), String(window.end.timeIntervalSince1970)]
                ).first?[0].flatMap { Int64($0) } ?? 0
            }
            if charged != balance.used || balance.held > 0 {
                differences.append(Difference(student: student, redisUsed: balance.used, postgresCharged: charged, held: balance.held))
            }
        }
        return differences
    }
}
