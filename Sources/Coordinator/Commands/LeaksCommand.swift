import ArgumentParser
import Configuration
import Foundation
import Logging
import Shared

/// `goosey leaks list | resolve`: the incidents opened when a secret was found in a request.
///
/// Talks to Postgres (and Redis, to reinstate or rotate keys) directly with the coordinator's configuration,
/// until the admin API serves staff on their own machines.
struct LeaksCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "leaks",
        abstract: "List and resolve leaked-secret incidents.",
        subcommands: [LeaksListCommand.self, LeaksResolveCommand.self]
    )
}

struct LeaksOptions: ParsableArguments {
    @Option(help: "The configuration file (postgres.url, redis.url; POSTGRES_URL and REDIS_URL override them).")
    var config: String = GooseyConfigFile.defaultPath

    func postgres() throws -> PostgresPool {
        let reader = try GooseyConfigFile.reader(path: self.config, required: self.config != GooseyConfigFile.defaultPath)
        guard let url = reader.string(forKey: "postgres.url", isSecret: true) else {
            throw ValidationError("no Postgres URL: set postgres.url in \(self.config) or POSTGRES_URL")
        }
        return PostgresPool(url: url)
    }

    func directory() throws -> Directory {
        let reader = try GooseyConfigFile.reader(path: self.config, required: self.config != GooseyConfigFile.defaultPath)
        guard let url = reader.string(forKey: "redis.url", isSecret: true) else {
            throw ValidationError("no Redis URL: set redis.url in \(self.config) or REDIS_URL")
        }
        return Directory(pool: RedisPool(.init(endpoint: try RedisEndpoint(url: url)), logger: Logger(label: "goosey-leaks")))
    }
}

struct LeaksListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Show open incidents (with --all, resolved ones too).")

    @OptionGroup var options: LeaksOptions
    @Option(help: "Only this course.") var course: String?
    @Flag(help: "Include resolved incidents.") var all = false

    func run() async throws {
        let rows = try await self.options.postgres().withConnection { connection in
            try await connection.query(
                LeakAlert.selectSQL + " WHERE ($1::text IS NULL OR i.course_id = $1) AND ($2::boolean OR i.resolved_at IS NULL) ORDER BY i.id",
                [self.course, self.all ? "t" : "f"]
            )
        }
        guard !rows.isEmpty else {
            print(self.all ? "no incidents" : "no open incidents")
            return
        }
        print(["ID", "DETECTED", "COURSE", "STUDENT", "KIND", "FINGERPRINT", "WHERE", "ACTION", "STATE"].joined(separator: "\t"))
        for row in rows {
            let incident = LeakAlert(row: row).incident
            print([
                String(incident.id), incident.detectedAt, incident.course, incident.student, incident.kind, incident.fingerprint,
                incident.location, incident.action, row[14] == "t" ? "open" : "resolved",
            ].joined(separator: "\t"))
        }
    }
}
