import ArgumentParser
import Hummingbird
import Logging
import Metrics
import NIOCore
import NIOPosix
import Prometheus
import Shared

@main
struct EdgeMain: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "goosey-edge",
        abstract: "Goosey's edge: passes Claude Code's traffic to the Anthropic API and counts every token.",
        discussion: "Settings come from the configuration file and the environment; the upstream key only from "
            + "ANTHROPIC_API_KEY or the file named by upstream.apiKeyFile.",
        version: GooseyVersion.current
    )

    @Option(help: "The configuration file.")
    var config: String = GooseyConfigFile.defaultPath

    func run() async throws {
        // Every task then runs on the event loops that do the I/O, so a request's work and its bytes
        // share one thread instead of hopping to Swift's cooperative pool and back.
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        StandardErrorLogHandler.bootstrap()
        let reader = try GooseyConfigFile.reader(path: self.config, required: self.config != GooseyConfigFile.defaultPath)
        let configuration = try EdgeConfiguration(reader: reader)
        var logger = Logger(label: "goosey-edge")
        logger.logLevel = configuration.logLevel
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        EdgeMetrics.declareGauges()
        try await buildEdge(configuration, logger: logger, metrics: registry).runService()
    }
}
