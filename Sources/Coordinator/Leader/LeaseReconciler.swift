import Foundation
import Logging
import Shared

/// Settles the leases whose deadline passed (an edge died mid-stream or never reached Redis again):
/// with what the edge recorded when its record arrived (late), or else with the lease's hold, marked as
/// an estimate. Settling goes through the same idempotent script the edges use, so a settle that races
/// in from the edge counts once; each settlement is noted in `lease_reconciliations`.
struct LeaseReconciler {
    let store: QuotaStore
    let directory: Directory
    let pool: PostgresPool
    /// How long past its deadline a lease is left to its edge.
    var grace: Duration = .seconds(5)

    enum Source: String { case record, estimate }

    /// - Returns: the leases this pass settled.
    @discardableResult
    func reconcile(now: Date = Date(), logger: Logger) async throws -> Int {
        let cutoff = now.addingTimeInterval(-Double(self.grace.components.seconds))
        var settled = 0
        for lease in try await self.store.expiredLeases(before: cutoff) {
            guard let policy = try await self.directory.policy(for: lease.student) else {
                logger.warning("expired lease of a student without a policy", metadata: ["goosey.lease": "\(lease.leaseID)"])
                continue
            }
            let recorded = try await self.pool.withConnection { try await Self.recordedCharge(of: lease.leaseID, on: $0) }
            let (charge, usage, source) = recorded.map { ($0.charge, $0.usage, Source.record) } ?? (lease.hold, TokenUsage(), Source.estimate)
            // A record charges the period it is dated in, as the edge would have; an estimate, noted now, this one.
            let window = policy.period.window(containing: recorded?.receivedAt ?? now)
            // The row first, then the settle: a crash between them leaves a row whose lease is still
            // expired, settled on the next pass, rather than a settle nobody can account for.
            let noted = try await self.pool.withConnection { connection in
                try await connection.execute(
                    """
                    INSERT INTO lease_reconciliations (lease_id, course_id, student_id, charged, source)
                    VALUES ($1, $2, $3, $4, $5) ON CONFLICT (lease_id) DO NOTHING
                    """,
                    [lease.leaseID, lease.student.course, lease.student.student, String(charge), source.rawValue]
                )
            }
            let result = try await self.store.settle(
                lease.student, policy: policy, window: window, leaseID: lease.leaseID, charge: charge, usage: usage
            )
            guard result.settled else {
                // The edge settled it after all, just now: its own charge stands.
                if noted == 1 {
                    _ = try await self.pool.withConnection {
                        try await $0.execute("DELETE FROM lease_reconciliations WHERE lease_id = $1", [lease.leaseID])
                    }
                }
                continue
            }
            settled += 1
        }
        return settled
    }

    /// The charge and usage the edge recorded for request `id`, and when it was received, if its record has arrived.
    static func recordedCharge(of id: String, on connection: PostgresConnection) async throws
        -> (charge: Int64, usage: TokenUsage, receivedAt: Date)?
    {
        let rows = try await connection.query(
            """
            SELECT charge, input_tokens, cache_write_5m_tokens, cache_write_1h_tokens, cache_read_tokens, output_tokens,
                   (extract(epoch FROM received_at) * 1000)::bigint
            FROM requests WHERE id = $1 AND charge IS NOT NULL LIMIT 1
            """,
            [id]
        )
        guard let row = rows.first, let values = Optional(row.values.compactMap { $0.flatMap { Int64($0) } }), values.count == 7 else {
            return nil
        }
        let usage = TokenUsage(
            inputTokens: values[1], cacheCreation5mTokens: values[2], cacheCreation1hTokens: values[3],
            cacheReadTokens: values[4], outputTokens: values[5]
        )
        return (values[0], usage, Date(timeIntervalSince1970: Double(values[6]) / 1000))
    }
}
