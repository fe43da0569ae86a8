import ArgumentParser
import Configuration
import Foundation
import Shared

/// `goosey migrate`: brings the Postgres schema up to date (`goosey serve` also does at start).
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply the Postgres schema migrations this goosey knows (safe to run again, or twice at once)."
    )

    @Option(help: "The configuration file (for postgres.url; POSTGRES_URL overrides it).")
    var config: String = GooseyConfigFile.defaultPath

    func run() async throws {
        let reader = try GooseyConfigFile.reader(path: self.config, required: self.config != GooseyConfigFile.defaultPath)
        guard let url = reader.string(forKey: "postgres.url", isSecret: true) else {
            throw ValidationError("no Postgres URL: set postgres.url in \(self.config) or POSTGRES_URL")
        }
        let connection = try await PostgresConnection.connect(url: url)
        let applied = try await Migrator().migrate(connection)
        print(applied.isEmpty ? "schema is current" : "applied migrations \(applied.map(String.init).joined(separator: ", "))")
    }
}
