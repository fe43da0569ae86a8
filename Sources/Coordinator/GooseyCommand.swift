import ArgumentParser
import Shared

/// `goosey`: the coordinator (`goosey serve`) and the staff's admin client. The subcommands arrive
/// with the coordinator; for now it answers `--help` and `--version`.
@main
struct GooseyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "goosey",
        abstract: "Goosey: share one Anthropic API key fairly among a class using Claude Code.",
        discussion: "`goosey serve` runs the coordinator and `goosey migrate` its schema; `goosey leaks` lists and resolves leaked-secret incidents; staff commands (sync, quota, "
            + "usage, keys) are still to come. `goosey seed` provisions a course and a key directly in Redis for local "
            + "runs and tests.",
        version: GooseyVersion.current,
        subcommands: [ServeCommand.self, MigrateCommand.self, ReconcileCommand.self, SeedCommand.self, LeaksCommand.self, AdminTokenCommand.self]
    )
}
