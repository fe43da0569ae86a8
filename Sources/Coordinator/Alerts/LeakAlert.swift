import Foundation

/// What the staff webhook receives about one incident: a Slack-compatible `text`, and the incident's fields
/// for anything that reads JSON. Never the secret: its kind, fingerprint and where it was.
struct LeakAlert: Encodable, Sendable {
    struct Incident: Encodable, Sendable {
        var id: Int64
        var course: String
        var student: String
        var keyID: String
        var kind: String
        var family: String
        var fingerprint: String
        var location: String
        var action: String
        var requestID: String
        var claudeCodeSessionID: String?
        var detectedAt: String
        var suspendedKeyIDs: [String]
        var owner: String?
    }

    var text: String
    var incident: Incident

    init(_ incident: Incident) {
        self.incident = incident
        let outcome = incident.action == "blocked"
            ? "The request was refused and \(incident.suspendedKeyIDs.count) key(s) suspended."
            : "The request was forwarded; the stored copy is redacted."
        let owner = incident.owner.map { " It is the Goosey key of \($0)." } ?? ""
        self.text = "Goosey: a secret (\(incident.kind), fingerprint \(incident.fingerprint)) was found in a request by "
            + "\(incident.course)/\(incident.student) at \(incident.location).\(owner) \(outcome) "
            + "Resolve with: goosey leaks resolve \(incident.id) --note \"…\" [--reinstate | --rotate]"
    }

    /// An incident's fields in the order `init(row:offset:)` reads them, then whether it is open.
    static let selectSQL = """
        SELECT i.id, i.course_id, i.student_id, i.key_id, i.kind, i.family, i.fingerprint, i.location, i.action, i.request_id,
            i.claude_code_session_id, to_char(i.detected_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
            array_to_string(i.suspended_keys, ','), i.owner_course_id || '/' || i.owner_student_id, i.resolved_at IS NULL
        FROM incidents i
        """

    init(row: PostgresRow, offset: Int = 0) {
        let value = { (index: Int) in row[offset + index] ?? "" }
        self.init(Incident(
            id: Int64(value(0)) ?? 0, course: value(1), student: value(2), keyID: value(3), kind: value(4), family: value(5),
            fingerprint: value(6), location: value(7), action: value(8), requestID: value(9),
            claudeCodeSessionID: row[offset + 10], detectedAt: value(11),
            suspendedKeyIDs: value(12).split(separator: ",").map { String($0.prefix(12)) }, owner: row[offset + 13]
        ))
    }
}
