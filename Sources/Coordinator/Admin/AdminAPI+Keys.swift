import Foundation
import Hummingbird
import Shared

extension AdminAPI {
    struct KeyChange: Decodable {
        var reason: String?
    }

    struct IssuedKey: Encodable {
        /// Shown this once; only its SHA-256 is kept.
        var key: String
        var keyID: String
        var course: String
        var student: String
    }

    /// Issues a key for a student (adding the student to the course if new); the key is in this answer only.
    func issueKey(_ request: Request, course: String, student: String) async throws -> Response {
        let principal = try await self.principal(request, course: course)
        guard StudentRef.isValidID(student) else { throw AdminError.invalid("student", "`\(student)` is not a valid student id") }
        let reason = try Self.requireReason(try await AdminJSON.decode(KeyChange.self, from: request).reason)
        let directory = try self.requireDirectory()
        let key = VirtualKey.generate()
        let ref = StudentRef(course: course, student: student)
        try await self.pool.withConnection { connection in
            try await connection.withTransaction { connection in
                try await Self.requireCourse(course, on: connection)
                try await connection.execute("INSERT INTO students (course_id, id) VALUES ($1, $2) ON CONFLICT DO NOTHING", [course, student])
                try await connection.execute(
                    "INSERT INTO keys (sha256, key_id, course_id, student_id, state) VALUES ($1, $2, $3, $4, 'active')",
                    [key.sha256Hex, key.keyID, course, student]
                )
                try await Self.noteKeyEvent(key.sha256Hex, .active, principal, reason, on: connection)
                try await Audit.record(
                    principal, "key.issued", target: "key:\(key.keyID)", reason: reason,
                    details: Self.json(["course": course, "student": student]), on: connection
                )
                try await directory.issueKey(sha256Hex: key.sha256Hex, record: KeyRecord(student: ref, state: .active, keyID: key.keyID))
            }
        }
        return try AdminJSON.response(.created, IssuedKey(key: key.secretText, keyID: key.keyID, course: course, student: student))
    }

    /// `suspend`, `reinstate` or `revoke` a key of the course, named by its key ID.
    func changeKey(_ request: Request, course: String, keyID: String, action: String) async throws -> Response {
        let principal = try await self.principal(request, course: course)
        let state: KeyState
        switch action {
        case "suspend": state = .suspended
        case "reinstate": state = .active
        case "revoke": state = .revoked
        default: throw AdminError.invalid("action", "`\(action)`: use suspend, reinstate or revoke")
        }
        let reason = try Self.requireReason(try await AdminJSON.decode(KeyChange.self, from: request).reason)
        let directory = try self.requireDirectory()
        let student = try await self.pool.withConnection { connection in
            try await connection.withTransaction { connection -> String in
                let rows = try await connection.query(
                    "SELECT sha256, state, student_id FROM keys WHERE course_id = $1 AND key_id = $2 FOR UPDATE", [course, keyID]
                )
                guard let row = rows.first, let hash = row[0] else { throw AdminError.notFound("key \(keyID) in course \(course)") }
                guard row[1] != KeyState.revoked.rawValue else { throw AdminError.conflict("key \(keyID) is revoked; issue a new one") }
                try await connection.execute("UPDATE keys SET state = $2 WHERE sha256 = $1", [hash, state.rawValue])
                try await Self.noteKeyEvent(hash, state, principal, reason, on: connection)
                try await Audit.record(
                    principal, "key.\(action)", target: "key:\(keyID)", reason: reason,
                    details: Self.json(["course": course, "student": row[2] ?? ""]), on: connection
                )
                try await directory.setKeyState(sha256Hex: hash, state)
                return row[2] ?? ""
            }
        }
        return try AdminJSON.response(["keyID": keyID, "course": course, "student": student, "state": state.rawValue])
    }

    static func noteKeyEvent(_ hash: String, _ state: KeyState, _ principal: AdminPrincipal, _ reason: String, on connection: PostgresConnection) async throws {
        try await connection.execute(
            "INSERT INTO key_events (key_sha256, state, reason, actor) VALUES ($1, $2, $3, $4)",
            [hash, state.rawValue, reason, principal.actor]
        )
    }
}
