import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Shared

extension AdminAPI {
    /// The traffic of the course's consenting students as JSON lines (`?since=`, `?until=`): one request per
    /// line with its usage, the request body and the answer (both as stored: secrets redacted; see `ResearchBodies`),
    /// the student and the Claude Code session under research pseudonyms. `x-goosey-records` says how many lines will come.
    func export(_ request: Request, _ course: String) async throws -> Response {
        let principal = try await self.principal(request, course: course)
        let query = request.uri.queryParameters
        let since = try Self.date(query.get("since").map { String($0) }, field: "since")
        let until = try Self.date(query.get("until").map { String($0) }, field: "until")
        let (pseudonyms, total) = try await self.pool.withConnection { connection in
            let pseudonyms = try await ResearchPseudonyms.forCourse(course, on: connection)
            let count = try await connection.query("SELECT count(*) " + Self.exportFrom, [course, since, until, nil, nil]).first?[0]
            try await Audit.record(
                principal, "research.exported", target: "course:\(course)", reason: "research export",
                details: Self.json(["course": course, "since": since ?? "", "until": until ?? "", "records": count ?? "0"]), on: connection
            )
            return (pseudonyms, count ?? "0")
        }
        var headers = HTTPFields()
        headers[.contentType] = "application/x-ndjson"
        headers[HTTPField.Name("x-goosey-records")!] = total
        let pool = self.pool
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            var cursor: (String, String)?
            while true {
                let page = try await pool.withConnection { connection in
                    try await Self.exportPage(course, since: since, until: until, after: cursor, pseudonyms: pseudonyms, on: connection)
                }
                guard let last = page.last else { break }
                cursor = (last.receivedAt, last.id)
                var buffer = ByteBuffer()
                for line in page { buffer.writeBytes(line.json) }
                try await writer.write(buffer)
            }
            try await writer.finish(nil)
        })
    }

    /// Consenting students' requests of the course, between the dates, after the cursor (`received_at`, `id`).
    static let exportFrom = """
        FROM requests r JOIN enrolments e ON e.course_id = r.course_id AND e.student_id = r.student_id AND e.research_consent
        WHERE r.course_id = $1 AND ($2::date IS NULL OR r.received_at >= $2::date) AND ($3::date IS NULL OR r.received_at < $3::date + 1)
            AND ($4::timestamptz IS NULL OR (r.received_at, r.id) > ($4::timestamptz, $5::text))
        """

    struct ExportLine {
        var id: String
        var receivedAt: String
        var json: [UInt8]
    }

    static func exportPage(
        _ course: String, since: String?, until: String?, after cursor: (String, String)?, pseudonyms: ResearchPseudonyms,
        on connection: PostgresConnection
    ) async throws -> [ExportLine] {
        let rows = try await connection.query(
            """
            SELECT r.id, r.received_at::text, r.student_id, r.claude_code_session_id, r.model, r.status, r.stop_reason,
                r.input_tokens, r.cache_write_5m_tokens, r.cache_write_1h_tokens, r.cache_read_tokens, r.output_tokens, r.cost_pico_usd,
                to_char(r.received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
            """ + Self.exportFrom + " ORDER BY r.received_at, r.id LIMIT 100",
            [course, since, until, cursor?.0, cursor?.1]
        )
        let bodies = StoredRequestBodies(connection: connection)
        var lines: [ExportLine] = []
        for row in rows {
            guard let id = row[0], let receivedAt = row[1] else { continue }
            var object: [String: Any] = [
                "student": pseudonyms.student(row[2] ?? ""), "at": row[13] ?? "", "model": row[4] ?? NSNull(),
                "status": Int(row[5] ?? "") ?? 0, "stopReason": row[6] ?? NSNull(),
                "usage": [
                    "input": Int(row[7] ?? "") ?? 0, "cacheWrite5m": Int(row[8] ?? "") ?? 0, "cacheWrite1h": Int(row[9] ?? "") ?? 0,
                    "cacheRead": Int(row[10] ?? "") ?? 0, "output": Int(row[11] ?? "") ?? 0,
                ],
                "usd": Money.usdString(Int64(row[12] ?? "") ?? 0),
            ]
            let session = row[3].map { (id: $0, pseudonym: pseudonyms.session($0)) }
            if let session { object["session"] = session.pseudonym }
            let research = ResearchBodies(session: session)
            if let body = try await bodies.requestBody(id: id) { object["request"] = research.request(body) }
            if let answer = try await bodies.response(id: id) { object["response"] = research.response(answer) }
            var json = Array(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
            json.append(0x0A)
            lines.append(ExportLine(id: id, receivedAt: receivedAt, json: json))
        }
        return lines
    }
}
