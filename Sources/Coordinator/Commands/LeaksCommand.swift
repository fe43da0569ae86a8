import ArgumentParser
import Foundation
import Shared

/// `goosey leaks list | resolve`: the incidents opened when a secret was found in a request, through the
/// admin API.
struct LeaksCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "leaks",
        abstract: "List and resolve leaked-secret incidents.",
        subcommands: [LeaksListCommand.self, LeaksResolveCommand.self],
        defaultSubcommand: LeaksListCommand.self
    )
}

struct LeaksListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Show open incidents (with --all, resolved ones too).")

    @OptionGroup var options: StaffOptions
    @Flag(help: "Include resolved incidents.") var all = false

    func run() async throws {
        let course = try self.options.courseID()
        let answer = try await self.options.client().get("/admin/v1/courses/\(course)/incidents" + (self.all ? "?all=true" : "")) as? [String: Any] ?? [:]
        let incidents = answer["incidents"] as? [[String: Any]] ?? []
        guard !incidents.isEmpty else {
            print(self.all ? "no incidents" : "no open incidents")
            return
        }
        print(["ID", "DETECTED", "STUDENT", "KIND", "FINGERPRINT", "WHERE", "ACTION"].joined(separator: "\t"))
        for incident in incidents {
            print([
                "\(incident["id"] ?? "")", incident["detectedAt"] as? String ?? "", incident["student"] as? String ?? "",
                incident["kind"] as? String ?? "", incident["fingerprint"] as? String ?? "", incident["location"] as? String ?? "",
                incident["action"] as? String ?? "",
            ].joined(separator: "\t"))
        }
    }
}
