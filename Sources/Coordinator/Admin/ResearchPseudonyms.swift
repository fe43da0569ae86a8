import Crypto
import Foundation
import Shared

/// Names for students (and their sessions) in research exports: a keyed hash under a secret of the course's
/// own, so a student has the same pseudonym in every export of one course, and nothing links two courses.
struct ResearchPseudonyms: Sendable {
    /// The course's secret; a `SymmetricKey` is made from it for each code (the type is not `Sendable`).
    private let secret: [UInt8]

    /// The course's secret, made the first time a course is exported.
    static func forCourse(_ course: String, on connection: PostgresConnection) async throws -> ResearchPseudonyms {
        var random = SystemRandomNumberGenerator()
        let fresh = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &random) }
        try await connection.execute(
            "INSERT INTO research_secrets (course_id, secret) VALUES ($1, decode($2, 'hex')) ON CONFLICT DO NOTHING",
            [course, fresh.withUnsafeBytes { Hex.lowercase($0) }]
        )
        let hex = try await connection.query("SELECT encode(secret, 'hex') FROM research_secrets WHERE course_id = $1", [course]).first?[0]
        guard let secret = hex.flatMap(StoredRequestBodies.bytes(hex:)) else { throw AdminError.conflict("no research secret for \(course)") }
        return ResearchPseudonyms(secret: secret)
    }

    private init(secret: [UInt8]) {
        self.secret = secret
    }

    func student(_ id: String) -> String { "s_" + self.code("student:" + id) }
    func session(_ id: String) -> String { "c_" + self.code("session:" + id) }

    private func code(_ text: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: SymmetricKey(data: self.secret))
        return String(Data(mac).withUnsafeBytes { Hex.lowercase($0) }.prefix(20))
    }
}
