import Foundation
import Shared

/// What the student page shows: their balance (Redis), their days (`daily_usage`), and their recent
/// sessions and requests through the per-student index on `requests`.
struct StudentOverview: Sendable {
    struct Session: Sendable {
        var id: String
        var requests: Int64
        var started: Date?
        var last: Date?
        var output: Int64
        /// The context each turn carried (input + cache writes + cache reads), in order.
        var context: [Int64] = []
    }

    struct Request: Sendable {
        var id: String
        var at: Date?
        var model: String
        var status: Int
        var context: Int64
        var output: Int64
        var charged: Int64
        var costPicoUSD: Int64
        var estimated: Bool
        var session: String?
    }

    var course: String
    var id: String
    var name: String
    var email: String
    var group: String?
    var keys: [(id: String, state: String)]
    var policy: QuotaPolicy?
    var balance: QuotaStore.Balance?
    var days: [CourseOverview.Day]
    var sessions: [Session]
    var requests: [Request]

    var timeZone: TimeZone { self.policy.flatMap { TimeZone(identifier: $0.period.timeZoneIdentifier) } ?? TimeZone(identifier: "UTC")! }
}

extension StudentOverview {
    static let sessionCount = 8
    static let requestCount = 50

    static func load(course: String, student: String, pool: PostgresPool, balances: BalanceReader?, now: Date = Date()) async throws -> StudentOverview? {
        try await pool.withConnection { connection in
            guard let row = try await connection.query(
                """
                SELECT s.name, s.email, e.group_name, coalesce(string_agg(k.key_id || ':' || k.state, ',' ORDER BY k.created_at), '')
                FROM students s LEFT JOIN enrolments e ON e.course_id = s.course_id AND e.student_id = s.id
                LEFT JOIN keys k ON k.course_id = s.course_id AND k.student_id = s.id
                WHERE s.course_id = $1 AND s.id = $2 GROUP BY s.name, s.email, e.group_name
                """,
                [course, student]
            ).first else { return nil }
            let keys = (row[3] ?? "").split(separator: ",").map { pair in
                let parts = pair.split(separator: ":")
                return (id: String(parts[0]), state: String(parts.last ?? ""))
            }
            let policies = try await CoursePolicies.load(course, on: connection)
            let balance = try await balances?.balances(course: course, students: [student], policies: policies, now: now)[student]
            let days = try await connection.query(
                "SELECT day::text, \(UsageTotals.sums) FROM daily_usage WHERE course_id = $1 AND student_id = $2 GROUP BY day ORDER BY day",
                [course, student]
            ).map { CourseOverview.Day(day: $0[0] ?? "", totals: UsageTotals($0, from: 1)) }
            return StudentOverview(
                course: course, id: student, name: row[0] ?? "", email: row[1] ?? "", group: row[2], keys: keys, policy: policies.policy(for: student),
                balance: balance, days: days,
                sessions: try await Self.sessions(course: course, student: student, now: now, on: connection),
                requests: try await Self.requests(course: course, student: student, on: connection)
            )
        }
    }

    static let contextSQL = "input_tokens + cache_write_5m_tokens + cache_write_1h_tokens + cache_read_tokens"

    static func sessions(course: String, student: String, now: Date, on connection: PostgresConnection) async throws -> [Session] {
        let since = String(Int64(now.timeIntervalSince1970) - 30 * 86_400)
        var sessions = try await connection.query(
            """
            SELECT claude_code_session_id, count(*), extract(epoch FROM min(received_at)), extract(epoch FROM max(received_at)), sum(output_tokens)
            FROM requests WHERE course_id = $1 AND student_id = $2 AND received_at > to_timestamp($3::bigint)
                AND claude_code_session_id IS NOT NULL AND path LIKE '/v1/messages%' AND path NOT LIKE '/v1/messages/count_tokens%'
            GROUP BY claude_code_session_id ORDER BY max(received_at) DESC LIMIT \(Self.sessionCount)
            """,
            [course, student, since]
        ).map {
            Session(
                id: $0[0] ?? "", requests: Int64($0[1] ?? "") ?? 0, started: DashboardFormat.date(epoch: $0[2]),
                last: DashboardFormat.date(epoch: $0[3]), output: Int64($0[4] ?? "") ?? 0
            )
        }
        guard let earliest = sessions.compactMap(\.started).min() else { return sessions }
        let position = Dictionary(uniqueKeysWithValues: sessions.enumerated().map { ($1.id, $0) })
        for row in try await connection.query(
            """
            SELECT claude_code_session_id, \(Self.contextSQL) FROM requests
            WHERE course_id = $1 AND student_id = $2 AND received_at >= to_timestamp($3::bigint) AND claude_code_session_id = ANY($4::text[])
                AND status = 200 AND path NOT LIKE '/v1/messages/count_tokens%'
            ORDER BY received_at
            """,
            [course, student, String(Int64(earliest.timeIntervalSince1970)), RecordStore.quotedArrayLiteral(Set(sessions.map(\.id)))]
        ) {
            guard let id = row[0], let index = position[id] else { continue }
            sessions[index].context.append(Int64(row[1] ?? "") ?? 0)
        }
        return sessions
    }

    static func requests(course: String, student: String, on connection: PostgresConnection) async throws -> [Request] {
        try await connection.query(
            """
            SELECT id, extract(epoch FROM received_at), coalesce(model, ''), status, \(Self.contextSQL), output_tokens, coalesce(charge, 0), cost_pico_usd,
                estimated, claude_code_session_id
            FROM requests WHERE course_id = $1 AND student_id = $2 ORDER BY received_at DESC LIMIT \(Self.requestCount)
            """,
            [course, student]
        ).map {
            Request(
                id: $0[0] ?? "", at: DashboardFormat.date(epoch: $0[1]), model: $0[2] ?? "", status: Int($0[3] ?? "") ?? 0,
                context: Int64($0[4] ?? "") ?? 0, output: Int64($0[5] ?? "") ?? 0, charged: Int64($0[6] ?? "") ?? 0,
                costPicoUSD: Int64($0[7] ?? "") ?? 0, estimated: $0[8] == "t", session: $0[9]
            )
        }
    }
}
