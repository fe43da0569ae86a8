import Foundation
import Hummingbird
import Shared

extension AdminAPI {
    struct Course: Codable {
        var id: String
        var name: String
        var timeZone: String
    }

    struct CourseChange: Decodable {
        var name: String?
        var timeZone: String?
        var reason: String?
    }

    func courses(_ request: Request) async throws -> Response {
        let principal = try await self.principal(request)
        let rows = try await self.pool.withConnection { try await $0.query("SELECT id, name, time_zone FROM courses ORDER BY id") }
        let visible = rows.compactMap { row in row[0].map { Course(id: $0, name: row[1] ?? "", timeZone: row[2] ?? "UTC") } }
            .filter { principal.mayAccess(course: $0.id) }
        return try AdminJSON.response(["courses": visible])
    }

    /// Creates or renames a course (university admins only).
    func saveCourse(_ request: Request, _ course: String) async throws -> Response {
        let principal = try await self.principal(request)
        guard principal.role == .admin else { throw AdminError.adminOnly }
        guard StudentRef.isValidID(course) else { throw AdminError.invalid("course", "`\(course)` is not a valid course id") }
        let change = try await AdminJSON.decode(CourseChange.self, from: request)
        let reason = try Self.requireReason(change.reason)
        let timeZone = change.timeZone ?? "UTC"
        guard TimeZone(identifier: timeZone) != nil else { throw AdminError.invalid("timeZone", "unknown time zone `\(timeZone)`") }
        let saved = Course(id: course, name: change.name ?? "", timeZone: timeZone)
        try await self.pool.withConnection { connection in
            try await connection.withTransaction { connection in
                try await connection.execute(
                    """
                    INSERT INTO courses (id, name, time_zone) VALUES ($1, $2, $3)
                    ON CONFLICT (id) DO UPDATE SET name = excluded.name, time_zone = excluded.time_zone
                    """,
                    [saved.id, saved.name, saved.timeZone]
                )
                try await Audit.record(
                    principal, "course.saved", target: "course:\(course)", reason: reason,
                    details: Self.json(["course": course, "name": saved.name, "timeZone": timeZone]), on: connection
                )
            }
        }
        return try AdminJSON.response(saved)
    }

    /// Refuses a course Postgres does not know.
    static func requireCourse(_ course: String, on connection: PostgresConnection) async throws {
        guard try await !connection.query("SELECT 1 FROM courses WHERE id = $1", [course]).isEmpty else {
            throw AdminError.notFound("course \(course)")
        }
    }

    struct StudentView: Encodable {
        struct Key: Encodable {
            var keyID: String
            var state: String
        }

        var id: String
        var name: String
        var email: String
        var group: String?
        var researchConsent: Bool
        var keys: [Key]
    }

    /// The course's students with their group, consent and keys.
    func students(_ request: Request, _ course: String) async throws -> Response {
        _ = try await self.principal(request, course: course)
        let rows = try await self.pool.withConnection { connection in
            try await connection.query(
                """
                SELECT s.id, s.name, s.email, e.group_name, coalesce(e.research_consent, false),
                    coalesce(string_agg(k.key_id || ':' || k.state, ',' ORDER BY k.created_at), '')
                FROM students s
                LEFT JOIN enrolments e ON e.course_id = s.course_id AND e.student_id = s.id
                LEFT JOIN keys k ON k.course_id = s.course_id AND k.student_id = s.id
                WHERE s.course_id = $1 GROUP BY s.id, s.name, s.email, e.group_name, e.research_consent ORDER BY s.id
                """,
                [course]
            )
        }
        let students = rows.map { row in
            StudentView(
                id: row[0] ?? "", name: row[1] ?? "", email: row[2] ?? "", group: row[3], researchConsent: row[4] == "t",
                keys: (row[5] ?? "").split(separator: ",").map { pair in
                    let parts = pair.split(separator: ":")
                    return StudentView.Key(keyID: String(parts[0]), state: String(parts.last ?? ""))
                }
            )
        }
        return try AdminJSON.response(["students": students])
    }

    struct GroupView: Encodable {
        var name: String
        var students: Int64
    }

    /// The course's groups and how many enrolled (not dropped) students each has.
    func groups(_ request: Request, _ course: String) async throws -> Response {
        _ = try await self.principal(request, course: course)
        let rows = try await self.pool.withConnection { connection in
            try await connection.query(
                """
                SELECT g.name, count(e.student_id) FROM groups g
                LEFT JOIN enrolments e ON e.course_id = g.course_id AND e.group_name = g.name AND e.dropped_at IS NULL
                WHERE g.course_id = $1 GROUP BY g.name ORDER BY g.name
                """,
                [course]
            )
        }
        return try AdminJSON.response(["groups": rows.map { GroupView(name: $0[0] ?? "", students: Int64($0[1] ?? "") ?? 0) }])
    }
}
