import ArgumentParser
import Foundation

/// `goosey export --research --since … --out FILE`: the consenting students' traffic for research.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export the research-consenting students' requests as JSON lines, pseudonymised.",
        discussion: """
            Each line is one request: its time, model, status, usage and cost, the request body and the answer as \
            stored (secrets already redacted), with the student and the Claude Code session replaced by pseudonyms \
            that are stable within the course and unlinkable across courses. Students who did not consent are left out.
            """
    )

    @OptionGroup var options: StaffOptions
    @Flag(help: "The research export (the only one there is; say so on purpose).") var research = false
    @Option(help: "From this day (YYYY-MM-DD, UTC).") var since: String?
    @Option(help: "To this day, included.") var until: String?
    @Option(help: "The file to write (created, mode 0600; must not exist).") var out: String

    func validate() throws {
        guard self.research else { throw ValidationError("say --research: the export holds students' conversations, if pseudonymised") }
    }

    func run() async throws {
        let course = try self.options.courseID()
        let file = try KeyFile.createPrivate(self.out, what: "for the export", option: "--out")
        var query: [String] = []
        if let since { query.append("since=\(since)") }
        if let until { query.append("until=\(until)") }
        let bar = ProgressBar(label: "exporting")
        do {
            try await self.options.client().download(
                "/admin/v1/courses/\(course)/export" + (query.isEmpty ? "" : "?" + query.joined(separator: "&")), to: file
            ) { done, total in bar.show(done, of: total) }
        } catch {
            try? file.close()
            try? FileManager.default.removeItem(atPath: self.out)
            throw error
        }
        try file.close()
        bar.finish()
        print("exported to \(self.out)")
    }
}
