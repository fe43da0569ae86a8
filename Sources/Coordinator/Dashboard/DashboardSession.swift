import Foundation
import HTTPTypes
import Shared

/// A signed-in browser: a random session id in an HttpOnly, SameSite=Strict cookie; Postgres keeps only
/// its SHA-256, the admin token it was opened with, and when it expires. A revoked token ends its sessions.
struct DashboardSession: Sendable {
    static let cookieName = "goosey_session"
    static let lifetime: TimeInterval = 12 * 3600

    let id: String
    let principal: AdminPrincipal

    /// The hidden field state-changing forms carry: derived from the session id, which scripts on other sites
    /// can neither read nor guess.
    var csrfToken: String { AdminToken.sha256Hex("csrf:" + self.id) }

    /// Opens a session for the holder of `token`; nil when the token is unknown or revoked.
    static func open(token: String, pool: PostgresPool) async throws -> String? {
        let id = Base62.random(count: 43)
        let opened = try await pool.withConnection { connection in
            try await connection.query(
                """
                INSERT INTO dashboard_sessions (id_sha256, token_id, expires_at)
                SELECT $1, id, now() + make_interval(secs => $3::int) FROM admin_tokens WHERE token_sha256 = $2 AND revoked_at IS NULL
                RETURNING token_id
                """,
                [AdminToken.sha256Hex(id), AdminToken.sha256Hex(token), String(Int(Self.lifetime))]
            )
        }
        return opened.isEmpty ? nil : id
    }

    /// The session the request's cookie names, if it is open.
    static func find(_ headers: HTTPFields, pool: PostgresPool) async throws -> DashboardSession? {
        guard let id = Self.cookie(headers) else { return nil }
        let rows = try await pool.withConnection { connection in
            try await connection.query(
                """
                SELECT t.id, t.name, t.role, coalesce(string_agg(s.course_id, ','), '') FROM dashboard_sessions d
                JOIN admin_tokens t ON t.id = d.token_id AND t.revoked_at IS NULL
                LEFT JOIN staff_courses s ON s.token_id = t.id
                WHERE d.id_sha256 = $1 AND d.expires_at > now() GROUP BY t.id
                """,
                [AdminToken.sha256Hex(id)]
            )
        }
        guard let row = rows.first, let tokenID = row[0].flatMap({ Int64($0) }), let role = row[2].flatMap(AdminPrincipal.Role.init) else {
            return nil
        }
        let courses = Set((row[3] ?? "").split(separator: ",").map(String.init))
        return DashboardSession(id: id, principal: AdminPrincipal(tokenID: tokenID, name: row[1] ?? "", role: role, courses: courses))
    }

    func close(pool: PostgresPool) async throws {
        try await pool.withConnection { connection in
            try await connection.execute(
                "DELETE FROM dashboard_sessions WHERE id_sha256 = $1 OR expires_at < now()", [AdminToken.sha256Hex(self.id)]
            )
        }
    }

    static func cookie(_ headers: HTTPFields) -> String? {
        Self.cookie(Self.cookieName, in: headers)
    }

    /// The value of cookie `name`, if it is plain base62 (as every cookie this dashboard sets).
    static func cookie(_ name: String, in headers: HTTPFields) -> String? {
        for header in headers[values: .cookie] {
            for pair in header.split(separator: ";") {
                let parts = pair.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
                if parts.count == 2, parts[0] == name, parts[1].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) {
                    return String(parts[1])
                }
            }
        }
        return nil
    }

    /// `Secure` when the browser reached us over HTTPS (directly or through a proxy that says so).
    static func setCookie(_ id: String, secure: Bool) -> String {
        "\(Self.cookieName)=\(id); Path=/dashboard; Max-Age=\(Int(Self.lifetime)); HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "")
    }

    static let clearCookie = "\(cookieName)=; Path=/dashboard; Max-Age=0; HttpOnly; SameSite=Strict"
}
