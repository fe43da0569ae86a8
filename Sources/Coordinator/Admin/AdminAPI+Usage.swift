import Foundation
import Hummingbird
import Shared

extension AdminAPI {
    struct UsageRow: Encodable {
        /// The student, day (`YYYY-MM-DD`, UTC) or model the row is about, as `?by=` asked.
        var key: String
        var group: String?
        var requests: Int64
        /// Requests refused because the allowance was used up (429).
        var refusals: Int64
        /// When the first of them came, if any: when in the period the student hit their limit.
        var firstRefusalAt: String?
        var inputTokens: Int64
        var cacheWrite5mTokens: Int64
        var cacheWrite1hTokens: Int64
        var cacheReadTokens: Int64
        var outputTokens: Int64
        /// Charged against the allowance, in the policy's unit (milli-tokens or pico-dollars).
        var charged: Int64
        var usd: String
    }

    /// Usage of the course per student (or `?by=day|model`): `?student=`, `?group=`, `?since=2026-03-01`,
    /// `?until=…` (UTC dates), or `?period=current|previous` (the course policy's periods, instead of dates).
    func usage(_ request: Request, _ course: String, now: Date = Date()) async throws -> Response {
        _ = try await self.principal(request, course: course)
        let query = request.uri.queryParameters
        let (key, group): (String, String)
        switch query.get("by") ?? "student" {
        case "student": (key, group) = ("r.student_id", "e.group_name")
        case "day": (key, group) = ("to_char(r.received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')", "NULL::text")
        case "model": (key, group) = ("coalesce(r.model, '(none)')", "NULL::text")
        case let other: throw AdminError.invalid("by", "`\(other)`: use student, day or model")
        }
        var since = try Self.date(query.get("since").map { String($0) }, field: "since")
        var until = try Self.date(query.get("until").map { String($0) }, field: "until")
        var window: PeriodWindow?
        if let period = query.get("period") {
            window = try await self.window(period, course: course, now: now)
            (since, until) = (nil, nil)
        }
        let milliseconds = { (date: Date) in String(Int64(date.timeIntervalSince1970 * 1000)) }
        let parameters: [String?] = [
            course, query.get("student").map { String($0) }, query.get("group").map { String($0) }, since, until,
            window.map { milliseconds($0.start) }, window.map { milliseconds($0.end) },
        ]
        let rows = try await self.pool.withConnection { connection in
            try await connection.query(
                """
                SELECT \(key), \(group), count(*), count(*) FILTER (WHERE r.status = 429),
                    sum(r.input_tokens), sum(r.cache_write_5m_tokens), sum(r.cache_write_1h_tokens), sum(r.cache_read_tokens),
                    sum(r.output_tokens), coalesce(sum(r.charge), 0), sum(r.cost_pico_usd),
                    to_char(min(r.received_at) FILTER (WHERE r.status = 429) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
                FROM requests r
                LEFT JOIN enrolments e ON e.course_id = r.course_id AND e.student_id = r.student_id
                WHERE r.course_id = $1 AND ($2::text IS NULL OR r.student_id = $2) AND ($3::text IS NULL OR e.group_name = $3)
                    AND ($4::date IS NULL OR r.received_at >= $4::date) AND ($5::date IS NULL OR r.received_at < $5::date + 1)
                    AND ($6::bigint IS NULL OR r.received_at >= to_timestamp($6::bigint / 1000.0))
                    AND ($7::bigint IS NULL OR r.received_at < to_timestamp($7::bigint / 1000.0))
                GROUP BY 1, 2 ORDER BY 1
                """,
                parameters
            )
        }
        return try AdminJSON.response(["usage": rows.map(UsageRow.init)])
    }

    /// The course policy's current or previous period.
    func window(_ name: String, course: String, now: Date) async throws -> PeriodWindow {
        let rows = try await self.pool.withConnection { connection in
            try await connection.query("SELECT policy::text FROM policies WHERE course_id = $1 AND student_id = ''", [course])
        }
        guard let text = rows.first?[0], let policy = try? QuotaPolicy(jsonData: Data(text.utf8)) else {
            throw AdminError.notFound("policy for course \(course)")
        }
        let current = policy.period.window(containing: now)
        switch name {
        case "current": return current
        case "previous": return policy.period.window(index: current.index - 1)
        default: throw AdminError.invalid("period", "`\(name)`: use current or previous")
        }
    }

    /// A `YYYY-MM-DD` query value, or a 400 naming it.
    static func date(_ value: String?, field: String) throws -> String? {
        guard let value else { return nil }
        let parts = value.split(separator: "-")
        guard parts.count == 3, parts.allSatisfy({ Int($0) != nil }), CivilDate(year: Int(parts[0])!, month: Int(parts[1])!, day: Int(parts[2])!) != nil else {
            throw AdminError.invalid(field, "`\(value)` is not a date like 2026-03-01")
        }
        return String(value)
    }
}

extension AdminAPI.UsageRow {
    init(_ row: PostgresRow) {
        func number(_ index: Int) -> Int64 { Int64(row[index] ?? "") ?? 0 }
        self.init(
            key: row[0] ?? "", group: row[1], requests: number(2), refusals: number(3), firstRefusalAt: row[11], inputTokens: number(4),
            cacheWrite5mTokens: number(5), cacheWrite1hTokens: number(6), cacheReadTokens: number(7), outputTokens: number(8),
            charged: number(9), usd: Money.usdString(number(10))
        )
    }
}
