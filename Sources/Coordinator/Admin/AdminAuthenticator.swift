import HTTPTypes

/// Finds the principal behind a request's bearer token, in Postgres.
struct AdminAuthenticator: Sendable {
    let pool: PostgresPool

    func principal(_ headers: HTTPFields) async throws -> AdminPrincipal {
        guard let header = headers[.authorization], header.hasPrefix("Bearer ") else { throw AdminError.unauthenticated }
        let digest = AdminToken.sha256Hex(String(header.dropFirst(7)))
        let rows = try await self.pool.withConnection { connection in
            try await connection.query(
                """
                SELECT t.id, t.name, t.role, coalesce(string_agg(s.course_id, ','), '') FROM admin_tokens t
                LEFT JOIN staff_courses s ON s.token_id = t.id
                WHERE t.token_sha256 = $1 AND t.revoked_at IS NULL GROUP BY t.id
                """,
                [digest]
            )
        }
        guard let row = rows.first, let id = row[0].flatMap({ Int64($0) }), let role = row[2].flatMap(AdminPrincipal.Role.init) else {
            throw AdminError.unauthenticated
        }
        return AdminPrincipal(
            tokenID: id, name: row[1] ?? "", role: role, courses: Set((row[3] ?? "").split(separator: ",").map(String.init))
        )
    }
}
