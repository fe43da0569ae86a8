import Foundation
import Hummingbird
import Shared

extension AdminAPI {
    struct GrantRequest: Decodable {
        /// `200k`, `1.5M` (weighted tokens) or `5usd`, in the unit of the student's policy.
        var amount: String
        var reason: String?
    }

    struct GrantView: Encodable {
        var student: String
        var amount: String
        var periodIndex: Int64
        var total: String
        var remaining: String
    }

    /// Adds allowance for one student for the current period (a deadline rescue), with its reason.
    func grant(_ request: Request, course: String, student: String, now: Date = Date()) async throws -> Response {
        let principal = try await self.principal(request, course: course)
        let ask = try await AdminJSON.decode(GrantRequest.self, from: request)
        let reason = try Self.requireReason(ask.reason)
        let amount: QuotaAmount
        do {
            amount = try QuotaAmount(parsing: ask.amount)
        } catch {
            throw AdminError.invalid("amount", "\(error)")
        }
        let directory = try self.requireDirectory()
        let ref = StudentRef(course: course, student: student)
        guard let policy = try await directory.policy(for: ref) else { throw AdminError.notFound("policy for course \(course)") }
        guard amount.kind == policy.unit.kind, amount.value > 0 else {
            throw AdminError.invalid("amount", "the course counts in \(policy.unit.kind.rawValue); give a positive amount in it")
        }
        let window = policy.period.window(containing: now)
        guard let store = self.store else { throw AdminError.noRedis }
        let balance = try await self.pool.withConnection { connection in
            try await connection.withTransaction { connection in
                guard try await !connection.query("SELECT 1 FROM students WHERE course_id = $1 AND id = $2", [course, student]).isEmpty else {
                    throw AdminError.notFound("student \(student) in course \(course)")
                }
                try await connection.execute(
                    "INSERT INTO grants (course_id, student_id, period_index, amount, reason, actor) VALUES ($1, $2, $3, $4, $5, $6)",
                    [course, student, String(window.index), String(amount.value), reason, principal.actor]
                )
                try await Audit.record(
                    principal, "grant.added", target: "student:\(course)/\(student)", reason: reason,
                    details: Self.json(["course": course, "student": student, "amount": amount.description]), on: connection
                )
                return try await store.grant(ref, policy: policy, window: window, amount: amount.value)
            }
        }
        let view = { (value: Int64) in QuotaAmount(kind: amount.kind, value: value).description }
        return try AdminJSON.response(
            .created,
            GrantView(student: student, amount: amount.description, periodIndex: balance.periodIndex, total: view(balance.total), remaining: view(balance.remaining))
        )
    }
}
