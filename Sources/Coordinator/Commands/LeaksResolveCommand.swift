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
        let ledger = try (self.reinstate || self.rotate) ? KeyLedger(directory: self.options.directory()) : nil
        let keys: IncidentResolution.Keys = self.rotate ? .rotate : self.reinstate ? .reinstate : .keep
        let issued: [(StudentRef, VirtualKey)]
        do {
            issued = try await pool.withConnection { connection in
                try await IncidentResolution(ledger: ledger).resolve(
                    self.id, course: nil, note: self.note, keys: keys, actor: "staff:\(self.actor)", on: connection
                )
            }
        } catch IncidentResolution.Failure.noSuchIncident {
            throw ValidationError("there is no incident \(self.id)")
        } catch IncidentResolution.Failure.alreadyResolved {
            throw ValidationError("incident \(self.id) is already resolved")
        }
        print("incident \(self.id) resolved" + (keys == .keep ? "; its keys stay suspended" : "; keys \(keys == .rotate ? "rotated" : "reinstated")"))
        for (student, key) in issued { print("new key \(key.keyID) for \(student)") }
        try self.hand(issued)
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
