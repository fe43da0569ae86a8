import ArgumentParser
import Foundation
import Shared

/// `goosey leaks resolve ID --note … [--reinstate | --rotate]`: closes an incident, and gives the students
/// whose keys it suspended their key back, or a new one.
struct LeaksResolveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resolve",
        abstract: "Resolve an incident; optionally reinstate the keys it suspended or replace them with new ones.",
        discussion: "New keys (--rotate) are written once to --key-out (created with mode 0600), or printed if no file is given."
    )

    @OptionGroup var options: LeaksOptions
    @Argument(help: "The incident's ID (see `goosey leaks list`).") var id: Int64
    @Option(help: "What was done about it (kept in the audit log).") var note: String
    @Flag(help: "Make the suspended keys active again.") var reinstate = false
    @Flag(help: "Revoke the suspended keys and issue each student a new one.") var rotate = false
    @Option(name: .customLong("key-out"), help: "File for the new keys (CSV: course, student, key).") var keyOut: String?
    @Option(help: "Who resolves it, for the audit log.") var actor = ProcessInfo.processInfo.environment["USER"] ?? "staff"

    func validate() throws {
        if self.reinstate && self.rotate { throw ValidationError("choose --reinstate or --rotate, not both") }
        if self.note.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--note must say what was done") }
        if self.keyOut != nil && !self.rotate { throw ValidationError("--key-out goes with --rotate") }
        if let keyOut, FileManager.default.fileExists(atPath: keyOut) { throw ValidationError("\(keyOut) exists; new keys go into a new file") }
    }

    func run() async throws {
        let pool = try self.options.postgres()
        let directory = try (self.reinstate || self.rotate) ? self.options.directory() : nil
        let issued = try await pool.withConnection { connection in
            try await connection.withTransaction { connection in
                let rows = try await connection.query(
                    "SELECT resolved_at IS NOT NULL, array_to_string(suspended_keys, ',') FROM incidents WHERE id = $1 FOR UPDATE",
                    [String(self.id)]
                )
                guard let row = rows.first else { throw ValidationError("there is no incident \(self.id)") }
                guard row[0] == "f" else { throw ValidationError("incident \(self.id) is already resolved") }
                let keys = (row[1] ?? "").split(separator: ",").map(String.init)
                let issued = try await self.changeKeys(keys, directory: directory)
                try await connection.execute(
                    "UPDATE incidents SET resolved_at = now(), resolution = $2, resolved_by = $3 WHERE id = $1",
                    [String(self.id), self.note, self.actor]
                )
                let action = self.rotate ? "rotated" : self.reinstate ? "reinstated" : "kept suspended"
                try await connection.execute(
                    """
                    INSERT INTO audit_events (actor, action, target, reason, details)
                    VALUES ('staff:' || $1, 'leak.resolved', 'incident:' || $2, $3, jsonb_build_object('keys', $4::text, 'keyIDs', $5::text))
                    """,
                    [self.actor, String(self.id), self.note, action, keys.map { VirtualKey.keyID(sha256Hex: $0) }.joined(separator: ",")]
                )
                return issued
            }
        }
        print("incident \(self.id) resolved")
        try self.hand(issued)
    }

    /// Reinstates or rotates `keys`; returns the new keys.
    private func changeKeys(_ keys: [String], directory: Directory?) async throws -> [(StudentRef, VirtualKey)] {
        guard let directory else { return [] }
        var issued: [(StudentRef, VirtualKey)] = []
        for hash in keys {
            let keyID = VirtualKey.keyID(sha256Hex: hash)
            guard let record = try await directory.key(sha256Hex: hash) else { throw ValidationError("key \(keyID) is not in Redis") }
            if self.reinstate {
                try await directory.setKeyState(sha256Hex: hash, .active)
                print("key \(keyID) of \(record.student) reinstated")
            } else {
                try await directory.setKeyState(sha256Hex: hash, .revoked)
                let key = VirtualKey.generate()
                try await directory.issueKey(sha256Hex: key.sha256Hex, record: KeyRecord(student: record.student, state: .active, keyID: key.keyID))
                print("key \(keyID) of \(record.student) revoked; new key \(key.keyID)")
                issued.append((record.student, key))
            }
        }
        return issued
    }

    private func hand(_ issued: [(StudentRef, VirtualKey)]) throws {
        guard !issued.isEmpty else { return }
        let lines = issued.map { "\($0.0.course),\($0.0.student),\($0.1.secretText)" }
        guard let keyOut else {
            for line in lines { print(line) }
            return
        }
        let text = "course,student,key\n" + lines.joined(separator: "\n") + "\n"
        guard FileManager.default.createFile(atPath: keyOut, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw ValidationError("could not write \(keyOut); the new keys are: \(lines.joined(separator: " "))")
        }
        print("new keys written to \(keyOut)")
    }
}
