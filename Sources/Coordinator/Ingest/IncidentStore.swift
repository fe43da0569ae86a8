import Shared

/// Opens an incident, with its alert and an audit event, for each secret a record notes as new. Runs in the
/// record batch's transaction, so a batch shipped twice opens nothing twice.
enum IncidentStore {
    static func open(for record: RequestRecord, on connection: PostgresConnection) async throws {
        for note in record.leaks ?? [] where note.isNew {
            // Only the shipment that opens the incident suspends: one shipped again after staff reinstated the
            // keys must not suspend them anew.
            let opened = try await connection.execute(Self.openSQL, Self.parameters(note, record))
            if opened > 0, !note.suspendedKeys.isEmpty {
                try await connection.execute(
                    Self.suspendSQL,
                    [RecordStore.arrayLiteral(note.suspendedKeys), "\(note.kind) found in request \(record.id)", "edge:" + (record.edge ?? "unknown")]
                )
            }
        }
    }

    /// The edge suspended these keys in Redis; Postgres, which rebuilds Redis, must know too.
    static let suspendSQL = """
        WITH changed AS (
            UPDATE keys SET state = 'suspended' WHERE sha256 = ANY($1::text[]) AND state = 'active' RETURNING sha256
        )
        INSERT INTO key_events (key_sha256, state, reason, actor) SELECT sha256, 'suspended', $2, $3 FROM changed
        """

    static let openSQL = """
        WITH incident AS (
            INSERT INTO incidents (
                course_id, student_id, key_id, request_id, kind, detected_at, fingerprint, family, location, action,
                edge, claude_code_session_id, suspended_keys, owner_course_id, owner_student_id
            ) VALUES ($1, $2, $3, $4, $5, to_timestamp($6::bigint / 1000.0), $7, $8, $9, $10, $11, $12, $13::text[], $14, $15)
            ON CONFLICT (request_id, fingerprint) DO NOTHING
            RETURNING id
        ), alert AS (
            INSERT INTO alerts (incident_id) SELECT id FROM incident
        )
        INSERT INTO audit_events (actor, action, target, reason, details)
        SELECT 'edge:' || $11, 'leak.detected', 'incident:' || id, $5 || ' in ' || $9,
            jsonb_build_object('course', $1::text, 'student', $2::text, 'requestID', $4::text, 'action', $10::text)
        FROM incident
        """

    static func parameters(_ note: LeakNote, _ record: RequestRecord) -> [String?] {
        [
            record.course ?? "", record.student ?? "", record.keyID, record.id, note.kind, String(record.receivedAtMillis),
            note.fingerprint, note.family.rawValue, note.location, note.action.rawValue, record.edge ?? "unknown",
            record.claudeCodeSessionID, RecordStore.arrayLiteral(note.suspendedKeys), note.owner?.course, note.owner?.student,
        ]
    }
}
