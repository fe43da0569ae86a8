import ArgumentParser
import Configuration
import Logging
import Shared

/// For operator commands that work on the coordinator's databases directly (`goosey admin-token create`,
/// which makes the first token before any API call can be made).
struct DatabaseOptions: ParsableArguments {
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
