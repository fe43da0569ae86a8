import ArgumentParser
import Foundation
import Shared

/// `goosey`: the coordinator (`goosey serve`) and the staff's command line, which talks to a coordinator's
/// admin API (`sync`, `quota`, `usage`, `keys`).
///
/// Exit codes: 0 done, 1 an error (said on standard error, with what to do), 2 a usage mistake.
@main
struct GooseyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "goosey",
        abstract: "Goosey: share one Anthropic API key fairly among a class using Claude Code.",
        discussion: """
            Staff: sync, quota, usage and keys talk to the coordinator's admin API (goosey.url and goosey.token in \
            ./goosey.toml, or GOOSEY_URL and GOOSEY_TOKEN). Operators: serve runs the coordinator, migrate its schema, \
            admin-token creates admin tokens, leaks lists and resolves leaked-secret incidents, reconcile compares Redis \
            with Postgres, seed provisions a course and a key straight into Redis for local runs and tests.
            """,
        version: GooseyVersion.current,
        subcommands: [
            SyncCommand.self, QuotaCommand.self, UsageCommand.self, KeysCommand.self, StudentsCommand.self, CoursesCommand.self,
            TokensCommand.self, AuditCommand.self, ExportCommand.self,
            ServeCommand.self, MigrateCommand.self, AdminTokenCommand.self, LeaksCommand.self, ReconcileCommand.self, SeedCommand.self,
        ]
    )

    static func main() async {
        StandardErrorLogHandler.bootstrap()
        do {
            var command = try Self.parseAsRoot()
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch let error as StaffError {
            FileHandle.standardError.write(Data("goosey: \(error.description)\n".utf8))
            Foundation.exit(1)
        } catch {
            let code = Self.exitCode(for: error)
            guard code == .validationFailure else { Self.exit(withError: error) }
            FileHandle.standardError.write(Data((Self.fullMessage(for: error) + "\n").utf8))
            Foundation.exit(2)
        }
    }
}
