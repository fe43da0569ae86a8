import ArgumentParser
import Foundation
import Shared

/// `goosey sync --source enrolments.csv`: makes the course's enrolment match the university's export.
struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Make the course's students match an enrolment CSV: keys for new students, revoked keys for dropped ones.",
        discussion: """
            Shows the plan (new, dropped, moved, updated) and applies it whole or not at all; a second run with the same \
            file changes nothing. New keys go once into a CSV file created with mode 0600 (--keys-out; by default \
            goosey-keys-<course>-<time>.csv here), never to the terminal unless --print-keys. Problems in the file are \
            listed with their line numbers, and then nothing is applied.
            """
    )

    @OptionGroup var options: StaffOptions
    @Option(help: "The enrolment CSV (UTF-8, with or without BOM).") var source: String
    @Flag(name: .customLong("dry-run"), help: "Show the plan; change nothing.") var dryRun = false
    @Option(name: .customLong("keys-out"), help: "Where the new keys go (created, mode 0600; must not exist).") var keysOut: String?
    @Flag(name: .customLong("print-keys"), help: "Print new keys on standard output instead of writing a file.") var printKeys = false
    @Option(name: .customLong("id-column"), help: "The column with student ids (default: id, student id, sid, ...).") var idColumn: String?
    @Option(name: .customLong("name-column"), help: "The column with names.") var nameColumn: String?
    @Option(name: .customLong("email-column"), help: "The column with email addresses.") var emailColumn: String?
    @Option(name: .customLong("group-column"), help: "The column with groups (tutorial, studio, ...).") var groupColumn: String?
    @Option(name: .customLong("consent-column"), help: "The column with research consent (yes/no).") var consentColumn: String?
    @Option(help: "Why (kept in the audit log).") var reason: String?

    func run() async throws {
        let course = try self.options.courseID()
        let roster = try self.roster()
        let client = try self.options.client()
        let path = "/admin/v1/courses/\(course)/enrolments"
        let students = roster.map(Self.json)
        let progress = ProgressBar(label: "sync of \(students.count) students")
        let preview = try await progress.whileWaiting("planning") { try await client.post(path, ["students": students, "dryRun": true]) }
        let plan = (preview as? [String: Any])?["plan"] as? [String: Any] ?? [:]
        Self.printPlan(plan)
        let newCount = (plan["new"] as? [Any])?.count ?? 0
        guard !self.dryRun else { return }
        guard Self.changes(plan) > 0 else {
            print("nothing to change")
            return
        }
        let keyFile = newCount > 0 && !self.printKeys ? try KeyFile.create(at: self.keysOut ?? KeyFile.defaultName(course: course)) : nil
        let reason = self.reason ?? "goosey sync of \((self.source as NSString).lastPathComponent)"
        let applied: [String: Any]
        do {
            applied = try await progress.whileWaiting("applying") {
                try await client.post(path, ["students": students, "reason": reason]) as? [String: Any] ?? [:]
            }
        } catch let error as StaffError where !error.answered && newCount > 0 {
            keyFile?.discard()
            throw StaffError(
                error.description + "\nThe coordinator may have applied the sync before its answer was lost, and then the "
                    + "\(newCount) new students' keys, shown only once, are lost too: `goosey keys list` shows who has a key, "
                    + "and `goosey keys rotate KEYID --reason ...` gives each of them a new one to hand out."
            )
        } catch {
            keyFile?.discard()
            throw error
        }
        let emails = Dictionary(uniqueKeysWithValues: roster.map { ($0.id, $0.email) })
        let rows = (applied["keys"] as? [[String: Any]] ?? []).compactMap { entry -> KeyFile.Row? in
            guard let student = entry["student"] as? String, let key = entry["key"] as? String else { return nil }
            return KeyFile.Row(id: student, email: emails[student] ?? "", key: key)
        }
        if let keyFile {
            try keyFile.write(rows, edgeURL: try self.options.edgeURL())
            print("applied; \(rows.count) new key(s) written to \(keyFile.path) (mode 0600)")
        } else {
            print("applied")
            if self.printKeys { for row in rows { print("\(row.id),\(row.key)") } }
        }
    }

    private func roster() throws -> [Enrolment] {
        guard let data = FileManager.default.contents(atPath: self.source) else { throw StaffError("cannot read \(self.source)") }
        guard let text = String(data: data, encoding: .utf8) else { throw StaffError("\(self.source) is not UTF-8 text; export it as CSV UTF-8") }
        var columns = RosterCSV.Columns()
        if let idColumn { columns.id = [idColumn] }
        if let nameColumn { columns.name = [nameColumn] }
        if let emailColumn { columns.email = [emailColumn] }
        if let groupColumn { columns.group = [groupColumn] }
        if let consentColumn { columns.consent = [consentColumn] }
        do {
            return try RosterCSV.read(text, columns: columns)
        } catch {
            let lines = error.problems.map { "\(self.source) \($0)" }.joined(separator: "\n")
            throw StaffError("\(lines)\nnothing was applied: fix the file and run again")
        }
    }

    static func json(_ student: Enrolment) -> [String: Any] {
        var object: [String: Any] = ["id": student.id, "name": student.name, "email": student.email, "researchConsent": student.researchConsent]
        if let group = student.group { object["group"] = group }
        return object
    }

    static func changes(_ plan: [String: Any]) -> Int {
        ["new", "dropped", "moved", "updated"].reduce(0) { $0 + ((plan[$1] as? [Any])?.count ?? 0) }
    }

    static func printPlan(_ plan: [String: Any]) {
        let count = { (name: String) in (plan[name] as? [Any])?.count ?? 0 }
        print("plan: \(count("new")) new, \(count("dropped")) dropped, \(count("moved")) moved, \(count("updated")) updated")
        for (label, name) in [("new", "new"), ("dropped", "dropped"), ("updated", "updated")] {
            if let ids = plan[name] as? [String], !ids.isEmpty { print("  \(label): \(ids.joined(separator: ", "))") }
        }
        for move in plan["moved"] as? [[String: Any]] ?? [] {
            print("  moved: \(move["student"] ?? "") \(move["from"] as? String ?? "(no group)") → \(move["to"] as? String ?? "(no group)")")
        }
    }
}
