import Foundation
import Hummingbird
import Shared

extension AdminAPI {
    struct PolicyChange: Decodable {
        var policy: QuotaPolicy
        /// Set for one student's override; absent for the course's policy.
        var student: String?
        var reason: String?
    }

    func policy(_ request: Request, _ course: String) async throws -> Response {
        _ = try await self.principal(request, course: course)
        let rows = try await self.pool.withConnection { connection in
            try await connection.query("SELECT student_id, policy::text FROM policies WHERE course_id = $1 ORDER BY student_id", [course])
        }
        var overrides: [String: QuotaPolicy] = [:]
        var coursePolicy: QuotaPolicy?
        for row in rows {
            let policy = try QuotaPolicy(jsonData: Data((row[1] ?? "").utf8))
            if row[0] == "" { coursePolicy = policy } else if let student = row[0] { overrides[student] = policy }
        }
        guard let coursePolicy else { throw AdminError.notFound("policy for course \(course)") }
        return try AdminJSON.response(PolicyView(policy: coursePolicy, overrides: overrides))
    }

    struct PolicyView: Encodable {
        var policy: QuotaPolicy
        var overrides: [String: QuotaPolicy]
    }

    /// Sets the course's policy or one student's override, in Postgres and for the edges.
    func setPolicy(_ request: Request, _ course: String) async throws -> Response {
        let principal = try await self.principal(request, course: course)
        let change = try await AdminJSON.decode(PolicyChange.self, from: request)
        let reason = try Self.requireReason(change.reason)
        if let student = change.student, !StudentRef.isValidID(student) {
            throw AdminError.invalid("student", "`\(student)` is not a valid student id")
        }
        let directory = try self.requireDirectory()
        let json = String(decoding: try change.policy.jsonData(), as: UTF8.self)
        try await self.pool.withConnection { connection in
            try await connection.withTransaction { connection in
                try await Self.requireCourse(course, on: connection)
                try await connection.execute(
                    """
                    INSERT INTO policies (course_id, student_id, policy) VALUES ($1, $2, $3::jsonb)
                    ON CONFLICT (course_id, student_id) DO UPDATE SET policy = excluded.policy, updated_at = now()
                    """,
                    [course, change.student ?? "", json]
                )
                let target = change.student.map { "student:\(course)/\($0)" } ?? "course:\(course)"
                try await Audit.record(principal, "policy.set", target: target, reason: reason, details: Self.json(["course": course, "policy": json]), on: connection)
                try await directory.setPolicy(change.policy, course: course, student: change.student)
            }
        }
        return try AdminJSON.response(["policy": change.policy])
    }
}
