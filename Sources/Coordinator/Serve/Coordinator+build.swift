import Hummingbird
import Logging
import NIOCore

/// Assembles the coordinator's HTTP server: `ServeCommand` and the tests both call this.
func buildCoordinator(
    _ configuration: CoordinatorConfiguration,
    logger: Logger,
    onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
) -> some ApplicationProtocol {
    let pool = PostgresPool(url: configuration.postgresURL)
    let ingest = IngestRoute(pool: pool, token: configuration.ingestToken)
    let router = Router()
    router.post("/v1/ingest") { request, context in try await ingest.handle(request, context: context) }
    router.get("/healthz") { _, _ in "ok\n" }
    return Application(
        router: router,
        configuration: configuration.application,
        onServerRunning: onServerRunning,
        logger: logger
    )
}
