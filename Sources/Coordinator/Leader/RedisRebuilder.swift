import Foundation
import Logging
import Shared

/// Puts back what Redis lost (a restart without persistence, a flush) from Postgres: keys, policies, and each
/// student's balance for the current period (allocation, carry-over from the ledger, grants, and the charges
/// of the requests Postgres holds, each marked settled so that a settle still on its way from an edge counts
/// once). Redis carries a marker the rebuild sets last; no marker means Redis lost its data (or never had it),
/// and the leader rebuilds. Edges that saw the marker keep off a Redis without it (`RedisRestorationGate`), so
/// nothing is written between the loss and the rebuild; nothing Redis still holds is overwritten: it is newer.
struct RedisRebuilder {
    let pool: PostgresPool
    let directory: Directory
    let store: QuotaStore

    struct Restored: Equatable {
        var keys = 0
        var policies = 0
        var balances = 0
    }

    /// Rebuilds when the marker is missing; nil when Redis had it.
    func rebuildIfLost(now: Date = Date()) async throws -> Restored? {
        guard try await self.directory.marker(DirectoryKeys.restored) == nil else { return nil }
        let restored = try await self.rebuild(now: now)
        try await self.directory.setMarker(DirectoryKeys.restored, value: ISO8601DateFormatter().string(from: now))
        return restored
    }

    func rebuild(now: Date) async throws -> Restored {
        var restored = Restored()
        let (keys, policies) = try await self.pool.withConnection { connection in
            (
                try await connection.query("SELECT sha256, key_id, course_id, student_id, state FROM keys"),
                try await connection.query("SELECT course_id, student_id, policy::text FROM policies")
            )
        }
        for row in keys {
            guard let hash = row[0], let keyID = row[1], let course = row[2], let student = row[3], let state = row[4].flatMap(KeyState.init) else { continue }
            let record = KeyRecord(student: StudentRef(course: course, student: student), state: state, keyID: keyID)
            if try await self.directory.restoreKey(sha256Hex: hash, record: record) { restored.keys += 1 }
        }
        var coursePolicies: [String: QuotaPolicy] = [:]
        var overrides: [StudentRef: QuotaPolicy] = [:]
        for row in policies {
            guard let course = row[0], let student = row[1], let policy = try? QuotaPolicy(jsonData: Data((row[2] ?? "").utf8)) else { continue }
            if student.isEmpty { coursePolicies[course] = policy } else { overrides[StudentRef(course: course, student: student)] = policy }
            if try await self.directory.restorePolicy(policy, course: course, student: student.isEmpty ? nil : student) { restored.policies += 1 }
        }
        let students = try await self.pool.withConnection { try await $0.query("SELECT course_id, id FROM students") }
        for row in students {
            guard let course = row[0], let id = row[1] else { continue }
            let student = StudentRef(course: course, student: id)
            guard let policy = overrides[student] ?? coursePolicies[course] else { continue }
            let balance = try await self.pool.withConnection { try await Self.balance(of: student, policy: policy, now: now, on: $0) }
            if try await self.store.restore(balance, for: student) { restored.balances += 1 }
        }
        return restored
    }

    /// The student's standing this period as Postgres knows it.
    static func balance(of student: StudentRef, policy: QuotaPolicy, now: Date, on connection: PostgresConnection) async throws -> QuotaStore.RestoredBalance {
        let window = policy.period.window(containing: now)
        let row = try await connection.query(
            """
            SELECT
                (SELECT coalesce(sum(charge), 0) FROM requests WHERE course_id = $1 AND student_id = $2
                    AND received_at >= to_timestamp($3::bigint / 1000.0) AND received_at < to_timestamp($4::bigint / 1000.0)),
                (SELECT coalesce(sum(amount), 0) FROM grants WHERE course_id = $1 AND student_id = $2 AND period_index = $5),
                (SELECT allocation + carry_in + granted - used FROM periods WHERE course_id = $1 AND student_id = $2 AND period_index = $5 - 1)
            """,
            [
                student.course, student.student, String(Int64(window.start.timeIntervalSince1970 * 1000)),
                String(Int64(window.end.timeIntervalSince1970 * 1000)), String(window.index),
            ]
        ).first
        // The settled set forgets a lease after a day (the settle script's horizon): older ones need no mark.
        let settled = try await connection.query(
            """
            SELECT id FROM requests WHERE course_id = $1 AND student_id = $2 AND charge IS NOT NULL
                AND received_at >= greatest(to_timestamp($3::bigint / 1000.0), now() - interval '1 day') AND received_at < to_timestamp($4::bigint / 1000.0)
            """,
            [student.course, student.student, String(Int64(window.start.timeIntervalSince1970 * 1000)), String(Int64(window.end.timeIntervalSince1970 * 1000))]
        ).compactMap { $0[0] }
        let carry = row?[2].flatMap { Int64($0) }.map {
            QuotaPolicy.carryIn(previousRemaining: $0, allocation: policy.limit, carryOver: policy.carryOver, overspend: policy.overspend)
        }
        return QuotaStore.RestoredBalance(
            periodIndex: window.index, allocation: policy.limit, carry: carry ?? 0,
            grants: Int64(row?[1] ?? "") ?? 0, used: Int64(row?[0] ?? "") ?? 0, settledLeases: settled
        )
    }
}
