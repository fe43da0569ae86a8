import Configuration
import Foundation
import Hummingbird
import Logging
import NIOCore
import Shared

/// Edge settings, read once at start. Keys (environment variable in brackets):
/// - `http.host` (string, default "127.0.0.1") [HTTP_HOST]
/// - `http.port` (int, default 8080) [HTTP_PORT]
/// - `log.level` (string, default "notice") [LOG_LEVEL]
/// - `redis.url` (string, default "redis://127.0.0.1:6379") [REDIS_URL]: keys, policies and balances
/// - `edge.id` (string, default "<host name>:<port>") [EDGE_ID]: names this edge in request records
/// - `spool.path` (string, optional) [SPOOL_PATH]: the directory of the request-record spool; none, no records
/// - `spool.maxBytes` (int, default 1 GiB) [SPOOL_MAX_BYTES]: past this, records are dropped and counted
/// - `coordinator.url` (string, optional) [COORDINATOR_URL]: where the spool is shipped; needs `spool.path`
/// - `coordinator.ingestToken` (string, required with `coordinator.url`) [COORDINATOR_INGEST_TOKEN]
/// - `quota.leaseSeconds` (int, default 900) [QUOTA_LEASE_SECONDS]: a lease's life; streams renew theirs
/// - `quota.settleWithinMilliseconds` (int, default 0) [QUOTA_SETTLE_WITHIN_MILLISECONDS]: how long a stream's
///   settlement may wait to go to Redis with the next reserve, sparing Redis a wake-up (`Settler`); 0 sends it at once
/// - `http.idleTimeoutSeconds` (double, default 75) [HTTP_IDLE_TIMEOUT_SECONDS]: a connection that has sent
///   nothing for this long while no answer is being written is closed (slow or abandoned clients); an answer
///   being streamed is never cut. Longer than a load balancer's own keep-alive (60 s is common), so the
///   balancer closes first
/// - `limits.perKeyConcurrency` (int, default 32; 0 = none) and `limits.perKeyRequestsPerMinute` (int,
///   default 600; 0 = none) [LIMITS_PER_KEY_CONCURRENCY, LIMITS_PER_KEY_REQUESTS_PER_MINUTE]: on this edge, per key
/// - the `upstream.*` keys of `UpstreamConfiguration`
struct EdgeConfiguration: Sendable {
    var host: String
    var port: Int
    var logLevel: Logger.Level
    var redis: RedisPool.Configuration
    var edgeID: String
    var spool: LogSpool.Configuration?
    var shipper: SpoolShipper?
    var leaseSeconds: Int64
    var settleWithin: Duration?
    var idleTimeout: TimeAmount
    var keyLimits: KeyThrottle.Limits
    var upstream: UpstreamConfiguration

    init(reader: ConfigReader, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        self.host = reader.string(forKey: "http.host", default: "127.0.0.1")
        self.port = reader.int(forKey: "http.port", default: 8080)
        self.logLevel = Logger.Level(rawValue: reader.string(forKey: "log.level", default: "notice")) ?? .notice
        self.redis = RedisPool.Configuration(
            endpoint: try RedisEndpoint(url: reader.string(forKey: "redis.url", isSecret: true, default: "redis://127.0.0.1:6379"))
        )
        self.edgeID = reader.string(forKey: "edge.id", default: "\(ProcessInfo.processInfo.hostName):\(self.port)")
        self.spool = reader.string(forKey: "spool.path").map {
            LogSpool.Configuration(directory: $0, maxBytes: reader.int(forKey: "spool.maxBytes", default: 1 << 30))
        }
        if let coordinator = reader.string(forKey: "coordinator.url") {
            guard self.spool != nil else { throw EdgeConfigurationError.shippingNeedsASpool }
            guard let token = reader.string(forKey: "coordinator.ingestToken", isSecret: true) else {
                throw EdgeConfigurationError.shippingNeedsAToken
            }
            self.shipper = SpoolShipper(ingestURL: coordinator.trimmingSuffix("/") + "/v1/ingest", token: token)
        }
        self.leaseSeconds = Int64(max(reader.int(forKey: "quota.leaseSeconds", default: 900), 3))
        let settleWithin = min(max(reader.int(forKey: "quota.settleWithinMilliseconds", default: 0), 0), 1000)
        self.settleWithin = settleWithin == 0 ? nil : .milliseconds(settleWithin)
        self.idleTimeout = TimeAmount.milliseconds(Int64(max(reader.double(forKey: "http.idleTimeoutSeconds", default: 75), 0.1) * 1000))
        self.keyLimits = KeyThrottle.Limits(
            concurrency: max(reader.int(forKey: "limits.perKeyConcurrency", default: 32), 0),
            requestsPerMinute: max(reader.int(forKey: "limits.perKeyRequestsPerMinute", default: 600), 0)
        )
        self.upstream = try UpstreamConfiguration(reader: reader, environment: environment)
    }

    var application: ApplicationConfiguration {
        // A deep accept queue: a whole class reconnecting after a deploy must not overflow it.
        ApplicationConfiguration(address: .hostname(self.host, port: self.port), serverName: nil, backlog: 4096)
    }
}

enum EdgeConfigurationError: Error, CustomStringConvertible {
    case shippingNeedsASpool
    case shippingNeedsAToken

    var description: String {
        switch self {
        case .shippingNeedsASpool: "coordinator.url is set but spool.path is not: records are shipped from the spool"
        case .shippingNeedsAToken: "coordinator.url is set but coordinator.ingestToken (COORDINATOR_INGEST_TOKEN) is not"
        }
    }
}

extension String {
    fileprivate func trimmingSuffix(_ suffix: String) -> String {
        self.hasSuffix(suffix) ? String(self.dropLast(suffix.count)) : self
    }
}
