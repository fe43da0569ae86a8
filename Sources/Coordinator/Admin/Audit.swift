/// Writes audit events: who did what to what, and why. The table refuses updates and deletes.
enum Audit {
    static func record(
        _ actor: String, _ action: String, target: String, reason: String, details: String = "{}", on connection: PostgresConnection
    ) async throws {
        try await connection.execute(
            "INSERT INTO audit_events (actor, action, target, reason, details) VALUES ($1, $2, $3, $4, $5::jsonb)",
            [actor, action, target, reason, details]
        )
    }

    static func record(
        _ principal: AdminPrincipal, _ action: String, target: String, reason: String, details: String = "{}",
        on connection: PostgresConnection
    ) async throws {
        try await Self.record(principal.actor, action, target: target, reason: reason, details: details, on: connection)
    }
}
