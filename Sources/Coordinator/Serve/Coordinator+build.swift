import Hummingbird
import Prometheus
import ServiceLifecycle
import Shared
import Logging
import NIOCore

/// Assembles the coordinator's HTTP server: `ServeCommand` and the tests both call this.
func buildCoordinator(
    _ configuration: CoordinatorConfiguration,
    logger: Logger,
    metrics: PrometheusCollectorRegistry? = nil,
    onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
) -> some ApplicationProtocol {
    let pool = PostgresPool(url: configuration.postgresURL)
    var services: [any Service] = []
    var directory: Directory?
    var quotaStore: QuotaStore?
    if let webhook = configuration.alertWebhookURL {
        services.append(AlertDispatcher(pool: pool, webhookURL: webhook, logger: logger))
    }
    if let redis = configuration.redis {
        let redisPool = RedisPool(.init(endpoint: redis), logger: logger)
        let store = QuotaStore(pool: redisPool)
        let redisDirectory = Directory(pool: redisPool)
        directory = redisDirectory
        quotaStore = store
        services.append(
            LeaderService(
                leadership: Leadership(url: configuration.postgresURL),
                reconciler: LeaseReconciler(store: store, directory: redisDirectory, pool: pool),
                closer: PeriodCloser(store: store, directory: redisDirectory, pool: pool),
                rebuilder: RedisRebuilder(pool: pool, directory: redisDirectory, store: store),
                logger: logger
            )
        )
    }
    let ingest = IngestRoute(pool: pool, token: configuration.ingestToken, directory: directory, balances: quotaStore)
    let router = Router()
    router.post("/v1/ingest") { request, context in try await ingest.handle(request, context: context) }
    router.get("/healthz") { _, _ in "ok\n" }
    router.get("/metrics") { _, _ in
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; version=0.0.4"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: metrics?.emitToString() ?? "")))
    }
    AdminAPI(pool: pool, directory: directory, store: quotaStore).register(on: router)
    Dashboard(pool: pool, balances: quotaStore.map(BalanceReader.init)).register(on: router)
    return Application(
        router: router,
        configuration: configuration.application,
        services: services,
        onServerRunning: onServerRunning,
        logger: logger
    )
}
