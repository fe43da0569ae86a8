import Foundation

/// A stored request body and answer as a research export may carry them.
///
/// Claude Code puts `metadata.user_id` (`user_<install hash>_account_<uuid>_session_<session id>`) in every
/// body: the install hash is the same on a student's machine in every course, and the session id is what the
/// export's `session` pseudonym stands for. The field is dropped, and the raw session id, wherever else it
/// appears, is replaced by its pseudonym.
struct ResearchBodies {
    /// The request's Claude Code session, and its pseudonym in this export.
    var session: (id: String, pseudonym: String)?

    /// The body as JSON where it parses (as text otherwise), without what links it to a student or a session.
    func request(_ body: [UInt8]) -> Any {
        let text = self.withoutSession(String(decoding: body, as: UTF8.self))
        guard let parsed = try? JSONSerialization.jsonObject(with: Data(text.utf8), options: .fragmentsAllowed) else { return text }
        guard var object = parsed as? [String: Any] else { return parsed }
        if var metadata = object["metadata"] as? [String: Any] {
            metadata["user_id"] = nil
            object["metadata"] = metadata
        }
        return object
    }

    func response(_ answer: [UInt8]) -> String {
        self.withoutSession(String(decoding: answer, as: UTF8.self))
    }

    private func withoutSession(_ text: String) -> String {
        guard let session, !session.id.isEmpty else { return text }
        return text.replacingOccurrences(of: session.id, with: session.pseudonym)
    }
}
