import NIOCore
import AsyncHTTPClient
import Hummingbird
import Logging
import NIOPosix
import Prometheus
import ServiceLifecycle
import Shared

/// Assembles the edge: `main` and the tests both call this.
/// - Parameters:
///   - metrics: the registry `/metrics` serves (nil in tests, which read metrics another way).
///   - onServerRunning: called with the bound channel (tests bind port 0 and read the port here).
func buildEdge(
    _ configuration: EdgeConfiguration,
    logger: Logger,
    metrics: PrometheusCollectorRegistry? = nil,
    onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
) -> some ApplicationProtocol {
    let client = HTTPClient(
        eventLoopGroupProvider: .shared(MultiThreadedEventLoopGroup.singleton),  // the server's own loops
        configuration: configuration.upstream.clientConfiguration,
        backgroundActivityLogger: logger
    )
    let records = configuration.recordsPath.map { RequestRecordLog(path: $0, logger: logger) }
    let proxy = UpstreamProxy(
        client: client,
        configuration: configuration.upstream,
        recorder: UsageRecorder(pricing: .standard, records: records)
    )
    let forwarding = ForwardingRoute(authenticator: StaticKeyAuthenticator(keys: configuration.keys), proxy: proxy)
    var services: [any Service] = [HTTPClientService(client: client)]
    if let records { services.append(records) }
    return Application(
        router: buildEdgeRouter(forwarding: forwarding, metrics: metrics),
        configuration: configuration.application,
        services: services,
        onServerRunning: onServerRunning,
        logger: logger
    )
}

/// Shuts the upstream client down with the application.
struct HTTPClientService: Service {
    let client: HTTPClient

    func run() async throws {
        try? await gracefulShutdown()
        try await self.client.shutdown()
    }
}
