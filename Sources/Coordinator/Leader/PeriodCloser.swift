import Foundation
import Logging
import Shared

/// Writes closed periods into the `periods` ledger: the numbers the edges' scripts closed each period
/// with (allocation, carry-in, grants, used), from each student's `closed` list in Redis. It first rolls
/// every student over to the current period, so a student who sent nothing since a boundary is closed too.
/// A stream still running at the boundary is charged to its period when it ends, so a period already in the
/// ledger takes the grown `used` of its closed entry, and a later one the carry that charge changed.
struct PeriodCloser {
    let store: QuotaStore
    let directory: Directory
    let pool: PostgresPool

    /// - Returns: the periods newly written to the ledger or amended.
    @discardableResult
    func close(now: Date = Date(), logger: Logger) async throws -> Int {
        var written = 0
        for student in try await self.store.students(having: "balance") {
            guard let policy = try await self.directory.policy(for: student) else { continue }
            _ = try await self.store.balance(student, policy: policy, window: policy.period.window(containing: now))
            for period in try await self.store.closedPeriods(student) {
                let window = policy.period.window(index: period.index)
                let overspend = max(0, period.used - (period.allocation + period.carryIn + period.grants))
                written += try await self.pool.withConnection { connection in
                    try await connection.execute(
                        """
                        INSERT INTO periods (course_id, student_id, period_index, starts_at, ends_at, allocation, carry_in,
                                             granted, used, overspend, closed_at)
                        VALUES ($1, $2, $3, to_timestamp($4), to_timestamp($5), $6, $7, $8, $9, $10, now())
                        ON CONFLICT (course_id, student_id, period_index) DO UPDATE
                            SET used = EXCLUDED.used, overspend = EXCLUDED.overspend, carry_in = EXCLUDED.carry_in
                            WHERE periods.used <> EXCLUDED.used OR periods.carry_in <> EXCLUDED.carry_in
                        """,
                        [
                            student.course, student.student, String(period.index),
                            String(window.start.timeIntervalSince1970), String(window.end.timeIntervalSince1970),
                            String(period.allocation), String(period.carryIn), String(period.grants), String(period.used),
                            String(overspend),
                        ]
                    )
                }
            }
        }
        return written
    }
}
