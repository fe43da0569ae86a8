import ArgumentParser
import Configuration
import Logging
import Shared

/// `goosey reconcile --check`: says whether Redis's balances and Postgres's records agree, or lists
/// the students where they do not.
struct ReconcileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconcile",
        abstract: "Compare this period's balances in Redis with the charges Postgres holds (run it on a quiet system)."
    )

    @Flag(help: "Only compare and report; exit 1 if they differ.") var check = false

    @Option(help: "The configuration file (postgres.url, redis.url; POSTGRES_URL and REDIS_URL override them).")
    var config: String = GooseyConfigFile.defaultPath

    func run() async throws {
        guard self.check else { throw ValidationError("only --check is available so far") }
        let reader = try GooseyConfigFile.reader(path: self.config, required: self.config != GooseyConfigFile.defaultPath)
        guard let postgres = reader.string(forKey: "postgres.url", isSecret: true) else {
            throw ValidationError("no Postgres URL: set postgres.url in \(self.config) or POSTGRES_URL")
        }
        guard let redis = reader.string(forKey: "redis.url", isSecret: true) else {
            throw ValidationError("no Redis URL: set redis.url in \(self.config) or REDIS_URL")
        }
        let redisPool = RedisPool(.init(endpoint: try RedisEndpoint(url: redis)), logger: Logger(label: "goosey-reconcile"))
        let check = BalanceCheck(store: QuotaStore(pool: redisPool), directory: Directory(pool: redisPool), pool: PostgresPool(url: postgres))
        let differences = try await check.differences()
        guard !differences.isEmpty else {
            print("Redis and Postgres agree on every student's usage this period")
            return
        }
        for difference in differences { print(difference) }
        throw ExitCode(1)
    }
}
