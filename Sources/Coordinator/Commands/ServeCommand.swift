import ArgumentParser
import Configuration
import Hummingbird
import Logging
import Metrics
import Prometheus
import Shared

/// `goosey serve`: the coordinator. Migrates the schema, then takes the edges' request records.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the coordinator: the only writer of Postgres, where edges ship their request records."
    )

    @Option(help: "The configuration file.")
    var config: String = GooseyConfigFile.defaultPath

    func run() async throws {
        let reader = try GooseyConfigFile.reader(path: self.config, required: self.config != GooseyConfigFile.defaultPath)
        let configuration = try CoordinatorConfiguration(reader: reader)
        var logger = Logger(label: "goosey-coordinator")
        logger.logLevel = Logger.Level(rawValue: reader.string(forKey: "log.level", default: "notice")) ?? .notice
        let applied = try await Migrator().migrate(PostgresConnection.connect(url: configuration.postgresURL))
        if !applied.isEmpty { logger.notice("schema migrated", metadata: ["goosey.migrations": "\(applied)"]) }
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        try await buildCoordinator(configuration, logger: logger, metrics: registry).runService()
    }
}
