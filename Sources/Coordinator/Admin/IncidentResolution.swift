import Shared

/// Closes a leak incident and does what staff chose with the keys it suspended: keep them suspended,
/// reinstate them, or rotate them (revoke, and issue each student a new key). One transaction, with the
/// audit event; `goosey leaks resolve` and the admin API both come here.
struct IncidentResolution {
    enum Keys: String, Codable, Sendable {
        case keep
        case reinstate
        case rotate
    }

    enum Failure: Error, Equatable {
        case noSuchIncident
        case alreadyResolved
        /// Reinstating or rotating needs Redis.
        case noDirectory
    }

    let ledger: KeyLedger?

    /// - Parameters:
    ///   - course: when set, only an incident of this course may be resolved.
    ///   - mayChange: whether the caller may act on keys of a course. A student can paste a key from another
    ///     course: its staff decide about that key, so it stays suspended here unless the caller may act there.
    /// - Returns: the new keys, when rotating, to show once.
    func resolve(
        _ id: Int64, course: String?, note: String, keys: Keys, actor: String, mayChange: (String) -> Bool = { _ in true },
        on connection: PostgresConnection
    ) async throws -> [(StudentRef, VirtualKey)] {
        try await connection.withTransaction { connection in
            let rows = try await connection.query(
                "SELECT resolved_at IS NOT NULL, array_to_string(suspended_keys, ','), course_id, owner_course_id FROM incidents WHERE id = $1 FOR UPDATE",
                [String(id)]
            )
            // The course of the student who pasted the key, or of the student whose key it was.
            guard let row = rows.first, course == nil || row[2] == course || row[3] == course else { throw Failure.noSuchIncident }
            guard row[0] == "f" else { throw Failure.alreadyResolved }
            let hashes = (row[1] ?? "").split(separator: ",").map(String.init)
            var issued: [(StudentRef, VirtualKey)] = []
            if keys != .keep {
                guard let ledger = self.ledger else { throw Failure.noDirectory }
                var courses = Dictionary(uniqueKeysWithValues: try await connection.query(
                    "SELECT sha256, course_id FROM keys WHERE sha256 = ANY($1::text[])", [RecordStore.arrayLiteral(hashes)]
                ).compactMap { row in row[0].flatMap { hash in row[1].map { (hash, $0) } } })
                // A key issued straight into Redis (seeded) is known by its record there.
                for hash in hashes where courses[hash] == nil {
                    courses[hash] = try await ledger.directory.key(sha256Hex: hash)?.student.course
                }
                for hash in hashes where courses[hash].map(mayChange) ?? mayChange("") {
                    do {
                        let owner = try await ledger.set(hash, to: keys == .rotate ? .revoked : .active, actor: actor, reason: note, on: connection)
                        if keys == .rotate { issued.append((owner, try await ledger.issue(for: owner, actor: actor, reason: note, on: connection))) }
                    } catch KeyLedger.Change.revoked {
                        continue  // revoked since (rotated, or the student left): nothing to rotate, never to reinstate
                    }
                }
            }
            try await connection.execute(
                "UPDATE incidents SET resolved_at = now(), resolution = $2, resolved_by = $3 WHERE id = $1", [String(id), note, actor]
            )
            try await Audit.record(
                actor, "leak.resolved", target: "incident:\(id)", reason: note,
                details: AdminAPI.json([
                    "course": row[2] ?? "", "keys": keys.rawValue,
                    "keyIDs": hashes.map { VirtualKey.keyID(sha256Hex: $0) }.joined(separator: ","),
                ]),
                on: connection
            )
            return issued
        }
    }
}
