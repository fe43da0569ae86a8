import ArgumentParser
import Configuration
import Logging
import Shared

/// For operator commands that work on the coordinator's databases directly (`goosey admin-token create`,
/// which makes the first token before any API call can be made).
struct DatabaseOptions: ParsableArguments {
    @Option(help: "The configuration file (postgres.url; POSTGRES_URL overrides it).")
    var config: String = GooseyConfigFile.defaultPath

    func postgres() throws -> PostgresPool {
        let reader = try GooseyConfigFile.reader(path: self.config, required: self.config != GooseyConfigFile.defaultPath)
        guard let url = reader.string(forKey: "postgres.url", isSecret: true) else {
            throw ValidationError("no Postgres URL: set postgres.url in \(self.config) or POSTGRES_URL")
        }
        return PostgresPool(url: url)
    }
}
