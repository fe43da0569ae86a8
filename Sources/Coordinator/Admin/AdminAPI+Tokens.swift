import Foundation
import Hummingbird

extension AdminAPI {
    struct TokenView: Encodable {
        var id: Int64
        var name: String
        var role: String
        var courses: [String]
        var createdAt: String
        var revokedAt: String?
    }

    /// Every admin token (never the token itself: only its hash is kept), for university admins.
    func tokens(_ request: Request) async throws -> Response {
        let principal = try await self.principal(request)
        guard principal.role == .admin else { throw AdminError.adminOnly }
        let rows = try await self.pool.withConnection { connection in
            try await connection.query(
                """
                SELECT t.id, t.name, t.role, coalesce(string_agg(s.course_id, ',' ORDER BY s.course_id), ''),
                    to_char(t.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                    to_char(t.revoked_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
                FROM admin_tokens t LEFT JOIN staff_courses s ON s.token_id = t.id GROUP BY t.id ORDER BY t.id
                """
            )
        }
        return try AdminJSON.response(["tokens": rows.map { row in
            TokenView(
                id: Int64(row[0] ?? "") ?? 0, name: row[1] ?? "", role: row[2] ?? "",
                courses: (row[3] ?? "").split(separator: ",").map(String.init), createdAt: row[4] ?? "", revokedAt: row[5]
            )
        }])
    }

    struct Revocation: Decodable {
        var reason: String?
    }

    /// Revokes an admin token for good, and signs out the dashboard sessions opened with it.
    func revokeToken(_ request: Request, id: String) async throws -> Response {
        let principal = try await self.principal(request)
        guard principal.role == .admin else { throw AdminError.adminOnly }
        guard let number = Int64(id) else { throw AdminError.invalid("id", "`\(id)` is not a token id") }
        let reason = try Self.requireReason(try await AdminJSON.decode(Revocation.self, from: request).reason)
        try await self.pool.withConnection { connection in
            try await connection.withTransaction { connection in
                let revoked = try await connection.query(
                    "UPDATE admin_tokens SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL RETURNING name", [String(number)]
                )
                guard let name = revoked.first?[0] else {
                    let exists = try await connection.query("SELECT 1 FROM admin_tokens WHERE id = $1", [String(number)])
                    throw exists.isEmpty ? AdminError.notFound("admin token \(number)") : AdminError.conflict("admin token \(number) is already revoked")
                }
                try await connection.execute("DELETE FROM dashboard_sessions WHERE token_id = $1", [String(number)])
                try await Audit.record(principal, "admin_token.revoked", target: "admin_token:\(number)", reason: reason, details: Self.json(["name": name]), on: connection)
            }
        }
        return try AdminJSON.response(["id": String(number), "revoked": "true"])
    }
}
