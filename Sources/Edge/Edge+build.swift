import NIOCore
import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import LoopBoundServer
import NIOPosix
import Prometheus
import ServiceLifecycle
import Shared

/// Assembles the edge: `main` and the tests both call this.
/// - Parameters:
///   - metrics: the registry `/metrics` serves (nil in tests, which read metrics another way).
///   - onServerRunning: called with the bound channel (tests bind port 0 and read the port here).
///   - now: the clock quota periods are computed from (tests move it across boundaries).
func buildEdge(
    _ configuration: EdgeConfiguration,
    logger: Logger,
    metrics: PrometheusCollectorRegistry? = nil,
    now: @escaping @Sendable () -> Date = { Date() },
    onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
) throws -> some ApplicationProtocol {
    let connections = try UpstreamConnections(
        endpoint: configuration.upstream.endpoint,
        connectTimeout: configuration.upstream.connectTimeout,
        maxIdle: configuration.upstream.maxIdleConnections
    )
    let records = configuration.spool.map { LogSpool($0, shipper: configuration.shipper, logger: logger) }
    let restorationGate = RedisRestorationGate()
    var redisConfiguration = configuration.redis
    redisConfiguration.restorationGate = restorationGate
    let redis = RedisPool(redisConfiguration, logger: logger)
    let store = QuotaStore(pool: redis)
    let emergency = EmergencyAllowance()
    let settler = Settler(store: store, emergency: emergency, logger: logger, sendWithin: configuration.settleWithin)
    let cache = DirectoryCache()
    let subscription = SubscriptionState()
    let listener = InvalidationListener(
        subscriber: RedisSubscriber(
            endpoint: configuration.redis.endpoint, channels: [DirectoryKeys.invalidations], restorationGate: restorationGate, logger: logger
        ),
        cache: cache,
        state: subscription
    )
    let authenticator = StudentAuthenticator(directory: Directory(pool: redis), cache: cache, subscription: subscription)
    let proxy = UpstreamProxy(
        connections: connections,
        configuration: configuration.upstream,
        recorder: UsageRecorder(
            pricing: .standard,
            records: records,
            settler: settler,
            edgeID: configuration.edgeID,
            leaseSeconds: configuration.leaseSeconds
        )
    )
    let forwarding = ForwardingRoute(
        authenticator: authenticator,
        leakGuard: LeakGuard(directory: Directory(pool: redis), reported: ReportedSecrets(pool: redis)),
        gate: QuotaGate(store: store, emergency: emergency, now: now, leaseSeconds: configuration.leaseSeconds),
        throttle: KeyThrottle(limits: configuration.keyLimits),
        proxy: proxy
    )
    let me = MeRoute(authenticator: authenticator, store: store, now: now)
    var services: [any Service] = [listener, settler]
    if let records { services.append(records) }
    return Application(
        router: buildEdgeRouter(forwarding: forwarding, me: me, metrics: metrics),
        server: .loopBoundHTTP1(configuration: HTTP1Channel.Configuration(
            additionalChannelHandlers: [FlushCoalescingHandler(), ClientWritability(), ClientDeparture()], idleTimeout: configuration.idleTimeout
        )),
        configuration: configuration.application,
        services: services,
        onServerRunning: onServerRunning,
        logger: logger
    )
}
