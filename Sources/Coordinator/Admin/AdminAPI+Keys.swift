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
        let ledger = KeyLedger(directory: try self.requireDirectory())
        let key = try await self.pool.withConnection { connection in
            try await connection.withTransaction { connection in
                try await Self.requireCourse(course, on: connection)
                return try await ledger.issue(for: StudentRef(course: course, student: student), actor: principal.actor, reason: reason, on: connection)
            }
        }
        return try AdminJSON.response(.created, IssuedKey(key: key.secretText, keyID: key.keyID, course: course, student: student))
    }

    /// `suspend`, `reinstate`, `revoke` or `rotate` (revoke, and issue the student a new key, shown in the
    /// answer only) a key of the course, named by its key ID.
    func changeKey(_ request: Request, course: String, keyID: String, action: String) async throws -> Response {
        let principal = try await self.principal(request, course: course)
        let state: KeyState
        switch action {
        case "suspend": state = .suspended
        case "reinstate": state = .active
        case "revoke", "rotate": state = .revoked
        default: throw AdminError.invalid("action", "`\(action)`: use suspend, reinstate, revoke or rotate")
        }
        if let problem = VirtualKey.problem(withKeyID: keyID) { throw AdminError.invalid("keyID", problem) }
        let reason = try Self.requireReason(try await AdminJSON.decode(KeyChange.self, from: request).reason)
        let ledger = KeyLedger(directory: try self.requireDirectory())
        let (student, replacement) = try await self.pool.withConnection { connection in
            try await connection.withTransaction { connection -> (StudentRef, VirtualKey?) in
                let rows = try await connection.query("SELECT sha256 FROM keys WHERE course_id = $1 AND key_id = $2", [course, keyID])
                guard let hash = rows.first?[0] else { throw AdminError.notFound("key \(keyID) in course \(course)") }
                let student: StudentRef
                do {
                    student = try await ledger.set(hash, to: state, actor: principal.actor, reason: reason, on: connection)
                } catch KeyLedger.Change.revoked {
                    throw AdminError.conflict("key \(keyID) is revoked; issue a new one")
                }
                guard action == "rotate" else { return (student, nil) }
                return (student, try await ledger.issue(for: student, actor: principal.actor, reason: reason, on: connection))
            }
        }
        if let replacement {
            return try AdminJSON.response(IssuedKey(key: replacement.secretText, keyID: replacement.keyID, course: course, student: student.student))
        }
        return try AdminJSON.response(["keyID": keyID, "course": course, "student": student.student, "state": state.rawValue])
    }
}
