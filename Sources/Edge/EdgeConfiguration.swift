import Configuration
import Foundation
import Hummingbird
import Logging
import Shared

/// Edge settings, read once at start. Keys (environment variable in brackets):
/// - `http.host` (string, default "127.0.0.1") [HTTP_HOST]
/// - `http.port` (int, default 8080) [HTTP_PORT]
/// - `log.level` (string, default "notice") [LOG_LEVEL]
/// - `redis.url` (string, default "redis://127.0.0.1:6379") [REDIS_URL]: keys, policies and balances
/// - `records.path` (string, optional: where request records are appended) [RECORDS_PATH]
/// - `quota.leaseSeconds` (int, default 900) [QUOTA_LEASE_SECONDS]: a lease's life; streams renew theirs
/// - the `upstream.*` keys of `UpstreamConfiguration`
struct EdgeConfiguration: Sendable {
    var host: String
    var port: Int
    var logLevel: Logger.Level
    var redis: RedisPool.Configuration
    var recordsPath: String?
    var leaseSeconds: Int64
    var upstream: UpstreamConfiguration

    init(reader: ConfigReader, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        self.host = reader.string(forKey: "http.host", default: "127.0.0.1")
        self.port = reader.int(forKey: "http.port", default: 8080)
        self.logLevel = Logger.Level(rawValue: reader.string(forKey: "log.level", default: "notice")) ?? .notice
        self.redis = RedisPool.Configuration(
            endpoint: try RedisEndpoint(url: reader.string(forKey: "redis.url", isSecret: true, default: "redis://127.0.0.1:6379"))
        )
        self.recordsPath = reader.string(forKey: "records.path")
        self.leaseSeconds = Int64(max(reader.int(forKey: "quota.leaseSeconds", default: 900), 3))
        self.upstream = try UpstreamConfiguration(reader: reader, environment: environment)
    }

    var application: ApplicationConfiguration {
        // A deep accept queue: a whole class reconnecting after a deploy must not overflow it.
        ApplicationConfiguration(address: .hostname(self.host, port: self.port), serverName: nil, backlog: 4096)
    }
}
