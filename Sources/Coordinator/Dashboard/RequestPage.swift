import Foundation
import Shared

/// One stored request: its figures, and the request body and answer as Postgres holds them (secrets were
/// redacted before they were stored).
struct RequestPage {
    static let shownBytes = 256 * 1024

    let course: String
    let id: String
    let fields: [(String, String)]
    let student: String
    let body: [UInt8]?
    let answer: [UInt8]?

    var title: String { "request \(self.id)" }

    static func load(course: String, id: String, pool: PostgresPool) async throws -> RequestPage? {
        try await pool.withConnection { connection in
            guard let row = try await connection.query(
                """
                SELECT student_id, received_at::text, coalesce(model, ''), status, coalesce(stop_reason, ''), coalesce(error_type, ''),
                    input_tokens, cache_write_5m_tokens, cache_write_1h_tokens, cache_read_tokens, output_tokens, coalesce(charge, 0),
                    cost_pico_usd, estimated, client_aborted, coalesce(claude_code_session_id, ''), edge, path
                FROM requests WHERE id = $1 AND course_id = $2
                """,
                [id, course]
            ).first else { return nil }
            let names = [
                "student", "received (UTC)", "model", "status", "stop reason", "error", "input tokens", "cache write 5m", "cache write 1h",
                "cache read", "output tokens", "charged", "cost (pico-USD)", "estimated", "client hung up", "session", "edge", "path",
            ]
            let stored = StoredRequestBodies(connection: connection)
            return RequestPage(
                course: course, id: id, fields: names.enumerated().map { ($1, row[$0] ?? "") }, student: row[0] ?? "",
                body: try await stored.requestBody(id: id), answer: try await stored.response(id: id)
            )
        }
    }

    func render() -> HTML {
        let rows = self.fields.map { name, value -> HTML in "<tr><th>\(name)</th><td>\(value)</td></tr>" }
        return """
            <p class="sub"><a href="/dashboard/courses/\(self.course)">\(self.course)</a> · \
            <a href="/dashboard/courses/\(self.course)/students/\(self.student)">\(self.student)</a></p>
            <h1>Request <code>\(self.id)</code></h1>
            <table id="request">\(rows)</table>
            <h2>Request body, as stored (secrets redacted)</h2>\(Self.text(self.body))
            <h2>Answer, as relayed</h2>\(Self.text(self.answer))
            """
    }

    static func text(_ bytes: [UInt8]?) -> HTML {
        guard let bytes else { return "<p class=\"empty\">Not stored.</p>" }
        let shown = String(decoding: bytes.prefix(Self.shownBytes), as: UTF8.self)
        let more: HTML = bytes.count > Self.shownBytes ? "<p class=\"empty\">The first 256 KiB of \(bytes.count) bytes.</p>" : ""
        return "<pre>\(shown)</pre>\(more)"
    }
}
