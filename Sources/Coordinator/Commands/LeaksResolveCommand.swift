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

    @OptionGroup var options: StaffOptions
    @Argument(help: "The incident's ID (see `goosey leaks list`).") var id: Int64
    @Option(help: "What was done about it (kept in the audit log).") var note: String
    @Flag(help: "Make the suspended keys active again.") var reinstate = false
    @Flag(help: "Revoke the suspended keys and issue each student a new one.") var rotate = false
    @Option(name: .customLong("key-out"), help: "File for the new keys (CSV, mode 0600; must not exist).") var keyOut: String?

    func validate() throws {
        if self.reinstate && self.rotate { throw ValidationError("choose --reinstate or --rotate, not both") }
        if self.note.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--note must say what was done") }
        if self.keyOut != nil && !self.rotate { throw ValidationError("--key-out goes with --rotate") }
    }

    func run() async throws {
        let course = try self.options.courseID()
        let keyFile = try self.keyOut.map(KeyFile.create(at:))
        let keys = self.rotate ? "rotate" : self.reinstate ? "reinstate" : "keep"
        let answer: [String: Any]
        do {
            answer = try await self.options.client().post(
                "/admin/v1/courses/\(course)/incidents/\(self.id)/resolve", ["note": self.note, "keys": keys]
            ) as? [String: Any] ?? [:]
        } catch {
            keyFile?.discard()
            throw error
        }
        print("incident \(self.id) resolved" + (keys == "keep" ? "; its keys stay suspended" : "; keys \(keys == "rotate" ? "rotated" : "reinstated")"))
        let rows = (answer["newKeys"] as? [[String: Any]] ?? []).map {
            KeyFile.Row(id: $0["student"] as? String ?? "", email: "", key: $0["key"] as? String ?? "")
        }
        guard !rows.isEmpty else { return }
        if let keyFile {
            try keyFile.write(rows, edgeURL: try self.options.edgeURL())
            print("new keys written to \(keyFile.path)")
        } else {
            for row in rows { print("\(row.id),\(row.key)") }
        }
    }
}
