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
        let rows = try await self.pool.withConnection { try await Self.studentRows(course, only: nil, on: $0) }
        return try AdminJSON.response(["students": rows.map(StudentView.init)])
    }

    static func studentRows(_ course: String, only student: String?, on connection: PostgresConnection) async throws -> [PostgresRow] {
        try await connection.query(
            """
            SELECT s.id, s.name, s.email, e.group_name, coalesce(e.research_consent, false),
                coalesce(string_agg(k.key_id || ':' || k.state, ',' ORDER BY k.created_at), '')
            FROM students s
            LEFT JOIN enrolments e ON e.course_id = s.course_id AND e.student_id = s.id
            LEFT JOIN keys k ON k.course_id = s.course_id AND k.student_id = s.id
            WHERE s.course_id = $1 AND ($2::text IS NULL OR s.id = $2)
            GROUP BY s.id, s.name, s.email, e.group_name, e.research_consent ORDER BY s.id
            """,
            [course, student]
        )
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

    struct TokenRequest: Decodable {
        var name: String
        var role: AdminPrincipal.Role
        var courses: [String]?
        var reason: String?
    }

    /// A new admin token (university admins only), shown in this answer only.
    func createToken(_ request: Request) async throws -> Response {
        let principal = try await self.principal(request)
        guard principal.role == .admin else { throw AdminError.adminOnly }
        let ask = try await AdminJSON.decode(TokenRequest.self, from: request)
        let courses = ask.courses ?? []
        guard !ask.name.trimmingCharacters(in: .whitespaces).isEmpty else { throw AdminError.invalid("name", "say whose token it is") }
        guard ask.role == .admin || !courses.isEmpty else { throw AdminError.invalid("courses", "a staff token needs at least one course") }
        for (index, course) in courses.enumerated() where !StudentRef.isValidID(course) {
            throw AdminError.invalid("courses[\(index)]", "`\(course)` is not a course id")
        }
        let token = try await self.pool.withConnection { connection in
            try await AdminToken.create(name: ask.name, role: ask.role, courses: courses, actor: principal.actor, on: connection)
        }
        return try AdminJSON.response(.created, ["token": token, "name": ask.name, "role": ask.role.rawValue])
    }

    struct StudentDetail: Encodable {
        struct Session: Encodable {
            var id: String
            var requests: Int64
            var inputTokens: Int64
            var outputTokens: Int64
            var lastAt: String
        }

        var student: StudentView
        var balance: [String: String]?
        var sessions: [Session]
    }

    /// One student: details, keys, this period's balance (from Redis) and their recent Claude Code sessions.
    func student(_ request: Request, course: String, id: String) async throws -> Response {
        _ = try await self.principal(request, course: course)
        let rows = try await self.pool.withConnection { try await Self.studentRows(course, only: id, on: $0) }
        guard let student = rows.first.map(StudentView.init) else { throw AdminError.notFound("student \(id) in course \(course)") }
        let sessions = try await self.pool.withConnection { connection in
            try await connection.query(
                """
                SELECT claude_code_session_id, count(*), sum(input_tokens + cache_write_5m_tokens + cache_write_1h_tokens + cache_read_tokens),
                    sum(output_tokens), to_char(max(received_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
                FROM requests WHERE course_id = $1 AND student_id = $2 AND claude_code_session_id IS NOT NULL
                    AND received_at > now() - interval '30 days'
                GROUP BY claude_code_session_id ORDER BY max(received_at) DESC LIMIT 20
                """,
                [course, id]
            )
        }
        var balance: [String: String]?
        let ref = StudentRef(course: course, student: id)
        if let directory = self.directory, let store = self.store, let policy = try await directory.policy(for: ref) {
            let window = policy.period.window(containing: Date())
            let (standing, _) = try await store.balance(ref, policy: policy, window: window)
            let amount = { (value: Int64) in QuotaAmount(kind: policy.unit.kind, value: value).description }
            balance = [
                "total": amount(standing.total), "used": amount(standing.used), "remaining": amount(standing.remaining),
                "resets": ISO8601DateFormatter().string(from: window.end),
            ]
        }
        return try AdminJSON.response(StudentDetail(
            student: student, balance: balance,
            sessions: sessions.map { row in
                StudentDetail.Session(
                    id: row[0] ?? "", requests: Int64(row[1] ?? "") ?? 0, inputTokens: Int64(row[2] ?? "") ?? 0,
                    outputTokens: Int64(row[3] ?? "") ?? 0, lastAt: row[4] ?? ""
                )
            }
        ))
    }
}

extension AdminAPI.StudentView {
    init(_ row: PostgresRow) {
        self.init(
            id: row[0] ?? "", name: row[1] ?? "", email: row[2] ?? "", group: row[3], researchConsent: row[4] == "t",
            keys: (row[5] ?? "").split(separator: ",").map { pair in
                let parts = pair.split(separator: ":")
                return Key(keyID: String(parts[0]), state: String(parts.last ?? ""))
            }
        )
    }
}
