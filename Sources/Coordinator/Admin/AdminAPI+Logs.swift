import Foundation
import Hummingbird
import Shared

extension AdminAPI {
    struct AuditEvent: Encodable {
        var id: Int64
        var at: String
        var actor: String
        var action: String
        var target: String
        var reason: String
    }

    /// The course's audit events, newest first (`?limit=`, at most 1000; `?since=YYYY-MM-DD`).
    func audit(_ request: Request, _ course: String) async throws -> Response {
        _ = try await self.principal(request, course: course)
        let limit = min(max(request.uri.queryParameters.get("limit", as: Int.self) ?? 100, 1), 1000)
        let since = try Self.date(request.uri.queryParameters.get("since").map { String($0) }, field: "since")
        let rows = try await self.pool.withConnection { connection in
            try await connection.query(
                """
                SELECT id, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), actor, action, target, reason FROM audit_events
                WHERE (details->>'course' = $1 OR target = 'course:' || $1) AND ($3::date IS NULL OR at >= $3::date)
                ORDER BY id DESC LIMIT $2
                """,
                [course, String(limit), since]
            )
        }
        let events = rows.map { row in
            AuditEvent(id: Int64(row[0] ?? "") ?? 0, at: row[1] ?? "", actor: row[2] ?? "", action: row[3] ?? "", target: row[4] ?? "", reason: row[5] ?? "")
        }
        return try AdminJSON.response(["events": events])
    }

    /// The course's leak incidents, open ones only unless `?all=true`.
    func incidents(_ request: Request, _ course: String) async throws -> Response {
        _ = try await self.principal(request, course: course)
        let all = request.uri.queryParameters.get("all") == "true"
        let rows = try await self.pool.withConnection { connection in
            try await connection.query(
                LeakAlert.selectSQL + " WHERE (i.course_id = $1 OR i.owner_course_id = $1) AND ($2::boolean OR i.resolved_at IS NULL) ORDER BY i.id",
                [course, all ? "t" : "f"]
            )
        }
        return try AdminJSON.response(["incidents": rows.map { LeakAlert(row: $0).incident }])
    }

    struct Resolution: Decodable {
        var note: String?
        var keys: IncidentResolution.Keys?
    }

    struct ResolvedIncident: Encodable {
        struct NewKey: Encodable {
            var student: String
            var keyID: String
            /// Shown this once.
            var key: String
        }

        var id: Int64
        var keys: IncidentResolution.Keys
        var newKeys: [NewKey]
    }

    /// Resolves an incident: `{"note": "…", "keys": "keep" | "reinstate" | "rotate"}`.
    func resolveIncident(_ request: Request, course: String, id: String) async throws -> Response {
        let principal = try await self.principal(request, course: course)
        guard let number = Int64(id) else { throw AdminError.invalid("id", "`\(id)` is not an incident id") }
        let resolution = try await AdminJSON.decode(Resolution.self, from: request)
        let note: String
        do {
            note = try Self.requireReason(resolution.note)
        } catch {
            throw AdminError.invalid("note", "say what was done: the note is kept in the audit log")
        }
        let keys = resolution.keys ?? .keep
        let ledger = keys == .keep ? nil : KeyLedger(directory: try self.requireDirectory())
        do {
            let issued = try await self.pool.withConnection { connection in
                try await IncidentResolution(ledger: ledger).resolve(
                    number, course: course, note: note, keys: keys, actor: principal.actor,
                    mayChange: { principal.role == .admin || ($0 != "" && principal.mayAccess(course: $0)) }, on: connection
                )
            }
            let newKeys = issued.map { ResolvedIncident.NewKey(student: $0.0.student, keyID: $0.1.keyID, key: $0.1.secretText) }
            return try AdminJSON.response(ResolvedIncident(id: number, keys: keys, newKeys: newKeys))
        } catch IncidentResolution.Failure.noSuchIncident {
            throw AdminError.notFound("incident \(id) in course \(course)")
        } catch IncidentResolution.Failure.alreadyResolved {
            throw AdminError.conflict("incident \(id) is already resolved")
        }
    }
}
