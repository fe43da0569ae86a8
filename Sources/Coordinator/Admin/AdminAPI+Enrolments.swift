import Foundation
import Hummingbird
import Shared

extension AdminAPI {
    struct SyncRequest: Decodable {
        var students: [Enrolment]
        /// Only say what would change.
        var dryRun: Bool?
        var reason: String?
    }

    struct SyncResult: Encodable {
        var plan: EnrolmentPlan
        var applied: Bool
        /// The new students' keys, in this answer only.
        var keys: [IssuedKey]
    }

    /// Makes the course's enrolment match a roster, whole or not at all: new students get a key, dropped
    /// students' keys are revoked, group moves and consent are recorded. A second run with the same roster
    /// changes nothing.
    func sync(_ request: Request, _ course: String) async throws -> Response {
        let principal = try await self.principal(request, course: course)
        let sync = try await AdminJSON.decode(SyncRequest.self, from: request)
        try Self.validate(sync.students)
        let reason = sync.dryRun == true ? "" : try Self.requireReason(sync.reason)
        let ledger = sync.dryRun == true ? nil : KeyLedger(directory: try self.requireDirectory())
        let result = try await self.pool.withConnection { connection in
            try await connection.withTransaction { connection -> SyncResult in
                try await Self.requireCourse(course, on: connection)
                // One sync of a course at a time: two at once would both see the same students as new.
                try await connection.execute("SELECT pg_advisory_xact_lock(hashtext('sync:' || $1))", [course])
                let plan = EnrolmentPlan(current: try await Self.enrolled(course, on: connection), roster: sync.students)
                guard let ledger, !plan.isEmpty else { return SyncResult(plan: plan, applied: false, keys: []) }
                let keys = try await Self.apply(plan, roster: sync.students, course: course, ledger: ledger, actor: principal.actor, reason: reason, on: connection)
                try await Audit.record(
                    principal, "enrolment.synced", target: "course:\(course)", reason: reason,
                    details: Self.json([
                        "course": course, "new": String(plan.new.count), "dropped": String(plan.dropped.count),
                        "moved": String(plan.moved.count), "updated": String(plan.updated.count),
                    ]),
                    on: connection
                )
                return SyncResult(plan: plan, applied: true, keys: keys)
            }
        }
        return try AdminJSON.response(result)
    }

    static func validate(_ roster: [Enrolment]) throws {
        var seen = Set<String>()
        for (index, student) in roster.enumerated() {
            guard StudentRef.isValidID(student.id) else { throw AdminError.invalid("students[\(index)].id", "`\(student.id)` is not a valid student id") }
            guard seen.insert(student.id).inserted else { throw AdminError.invalid("students[\(index)].id", "student \(student.id) is listed twice") }
        }
    }

    static func enrolled(_ course: String, on connection: PostgresConnection) async throws -> [String: Enrolment] {
        let rows = try await connection.query(
            """
            SELECT s.id, s.name, s.email, e.group_name, e.research_consent FROM enrolments e
            JOIN students s ON s.course_id = e.course_id AND s.id = e.student_id
            WHERE e.course_id = $1 AND e.dropped_at IS NULL
            """,
            [course]
        )
        return Dictionary(uniqueKeysWithValues: rows.compactMap { row in
            row[0].map { ($0, Enrolment(id: $0, name: row[1] ?? "", email: row[2] ?? "", group: row[3], researchConsent: row[4] == "t")) }
        })
    }

    private static func apply(
        _ plan: EnrolmentPlan, roster: [Enrolment], course: String, ledger: KeyLedger, actor: String, reason: String,
        on connection: PostgresConnection
    ) async throws -> [IssuedKey] {
        let byID = Dictionary(uniqueKeysWithValues: roster.map { ($0.id, $0) })
        for group in Set(roster.compactMap(\.group)) {
            try await connection.execute("INSERT INTO groups (course_id, name) VALUES ($1, $2) ON CONFLICT DO NOTHING", [course, group])
        }
        var keys: [IssuedKey] = []
        for id in plan.new + plan.updated + plan.moved.map(\.student) {
            let student = byID[id]!
            try await connection.execute(
                """
                INSERT INTO students (course_id, id, name, email) VALUES ($1, $2, $3, $4)
                ON CONFLICT (course_id, id) DO UPDATE SET name = excluded.name, email = excluded.email
                """,
                [course, id, student.name, student.email]
            )
            try await connection.execute(
                """
                INSERT INTO enrolments (course_id, student_id, group_name, research_consent) VALUES ($1, $2, $3, $4)
                ON CONFLICT (course_id, student_id) DO UPDATE SET group_name = excluded.group_name,
                    research_consent = excluded.research_consent, dropped_at = NULL
                """,
                [course, id, student.group, student.researchConsent ? "t" : "f"]
            )
        }
        for id in plan.new {
            let key = try await ledger.issue(for: StudentRef(course: course, student: id), actor: actor, reason: reason, on: connection)
            keys.append(IssuedKey(key: key.secretText, keyID: key.keyID, course: course, student: id))
        }
        for id in plan.dropped {
            try await connection.execute("UPDATE enrolments SET dropped_at = now() WHERE course_id = $1 AND student_id = $2", [course, id])
            let live = try await connection.query(
                "SELECT sha256 FROM keys WHERE course_id = $1 AND student_id = $2 AND state <> 'revoked'", [course, id]
            )
            for row in live { if let hash = row[0] { try await ledger.set(hash, to: .revoked, actor: actor, reason: reason, on: connection) } }
        }
        return keys
    }
}
