import Crypto
import Shared

/// Who is calling the admin API: a university admin (every course) or course staff (their courses).
struct AdminPrincipal: Sendable, Equatable {
    enum Role: String, Sendable, Codable {
        case staff
        case admin
    }

    var tokenID: Int64
    var name: String
    var role: Role
    var courses: Set<String>

    /// How audit events name the caller.
    var actor: String { "\(self.role.rawValue):\(self.name)" }

    func mayAccess(course: String) -> Bool {
        self.role == .admin || self.courses.contains(course)
    }
}

/// Admin tokens: `gooseyadmin_` and 40 random base62 characters, shown once; Postgres keeps the SHA-256.
enum AdminToken {
    static let prefix = "gooseyadmin_"

    static func generate() -> String {
        Self.prefix + Base62.random(count: 40)
    }

    static func sha256Hex(_ token: String) -> String {
        Array(token.utf8).withUnsafeBytes { Hex.sha256(of: $0) }
    }

    /// Stores a new token (and any course a staff token names that is new); returns the token, to show once.
    static func create(name: String, role: AdminPrincipal.Role, courses: [String], actor: String, on connection: PostgresConnection) async throws -> String {
        let token = Self.generate()
        try await connection.withTransaction { connection in
            let id = try await connection.query(
                "INSERT INTO admin_tokens (token_sha256, name, role) VALUES ($1, $2, $3) RETURNING id",
                [Self.sha256Hex(token), name, role.rawValue]
            ).first?[0]
            for course in courses {
                try await connection.execute("INSERT INTO courses (id) VALUES ($1) ON CONFLICT DO NOTHING", [course])
                try await connection.execute("INSERT INTO staff_courses (token_id, course_id) VALUES ($1, $2)", [id, course])
            }
            try await connection.execute(
                "INSERT INTO audit_events (actor, action, target, reason, details) VALUES ($1, 'admin_token.created', $2, 'created on the command line', $3::jsonb)",
                [actor, "admin_token:\(id ?? "")", AdminAPI.json(["name": name, "role": role.rawValue, "courses": courses.joined(separator: ",")])]
            )
        }
        return token
    }
}
