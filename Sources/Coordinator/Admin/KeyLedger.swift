import Shared

/// Key changes as the system of record makes them: the `keys` row and its `key_events` history in Postgres,
/// the audit event, and the directory in Redis that every edge obeys. Run inside the caller's transaction,
/// with Redis last, so a Redis failure rolls the rest back.
struct KeyLedger {
    let directory: Directory

    /// A new active key for `student`; the caller shows it once.
    func issue(for student: StudentRef, actor: String, reason: String, on connection: PostgresConnection) async throws -> VirtualKey {
        let key = VirtualKey.generate()
        try await connection.execute("INSERT INTO courses (id) VALUES ($1) ON CONFLICT DO NOTHING", [student.course])
        try await connection.execute("INSERT INTO students (course_id, id) VALUES ($1, $2) ON CONFLICT DO NOTHING", [student.course, student.student])
        try await connection.execute(
            "INSERT INTO keys (sha256, key_id, course_id, student_id, state) VALUES ($1, $2, $3, $4, 'active')",
            [key.sha256Hex, key.keyID, student.course, student.student]
        )
        try await Self.note(key.sha256Hex, .active, actor: actor, reason: reason, on: connection)
        try await Audit.record(
            actor, "key.issued", target: "key:\(key.keyID)", reason: reason,
            details: AdminAPI.json(["course": student.course, "student": student.student]), on: connection
        )
        try await self.directory.issueKey(sha256Hex: key.sha256Hex, record: KeyRecord(student: student, state: .active, keyID: key.keyID))
        return key
    }

    enum Change: Error, Equatable {
        case unknownKey
        case revoked
    }

    /// Moves a key to `state`; a key only Redis knew (provisioned by `goosey seed`) is first taken into Postgres.
    /// - Returns: whose key it is.
    @discardableResult
    func set(_ hash: String, to state: KeyState, actor: String, reason: String, on connection: PostgresConnection) async throws -> StudentRef {
        let student = try await self.adopt(hash, on: connection)
        let current = try await connection.query("SELECT state FROM keys WHERE sha256 = $1 FOR UPDATE", [hash]).first?[0]
        guard current != KeyState.revoked.rawValue else { throw Change.revoked }
        try await connection.execute("UPDATE keys SET state = $2 WHERE sha256 = $1", [hash, state.rawValue])
        try await Self.note(hash, state, actor: actor, reason: reason, on: connection)
        let action = switch state {
        case .active: "key.reinstate"
        case .suspended: "key.suspend"
        case .revoked: "key.revoke"
        }
        try await Audit.record(
            actor, action, target: "key:\(VirtualKey.keyID(sha256Hex: hash))", reason: reason,
            details: AdminAPI.json(["course": student.course, "student": student.student]), on: connection
        )
        try await self.directory.setKeyState(sha256Hex: hash, state)
        return student
    }

    private func adopt(_ hash: String, on connection: PostgresConnection) async throws -> StudentRef {
        if let row = try await connection.query("SELECT course_id, student_id FROM keys WHERE sha256 = $1", [hash]).first,
            let course = row[0], let student = row[1]
        {
            return StudentRef(course: course, student: student)
        }
        guard let record = try await self.directory.key(sha256Hex: hash) else { throw Change.unknownKey }
        try await connection.execute("INSERT INTO courses (id) VALUES ($1) ON CONFLICT DO NOTHING", [record.student.course])
        try await connection.execute(
            "INSERT INTO students (course_id, id) VALUES ($1, $2) ON CONFLICT DO NOTHING", [record.student.course, record.student.student]
        )
        try await connection.execute(
            "INSERT INTO keys (sha256, key_id, course_id, student_id, state) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
            [hash, record.keyID, record.student.course, record.student.student, record.state.rawValue]
        )
        return record.student
    }

    private static func note(_ hash: String, _ state: KeyState, actor: String, reason: String, on connection: PostgresConnection) async throws {
        try await connection.execute(
            "INSERT INTO key_events (key_sha256, state, reason, actor) VALUES ($1, $2, $3, $4)",
            [hash, state.rawValue, reason, actor]
        )
    }
}
