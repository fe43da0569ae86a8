import Configuration
import Foundation
import Hummingbird
import Shared

/// Coordinator settings, read once at start. Keys (environment variable in brackets):
/// - `coordinator.host` (string, default "127.0.0.1") [COORDINATOR_HOST]
/// - `coordinator.port` (int, default 8081) [COORDINATOR_PORT]
/// - `postgres.url` (string, required) [POSTGRES_URL]: the system of record; only coordinators write it
/// - `ingest.token` (string, required) [INGEST_TOKEN]: what edges present to ship their records
/// - `redis.url` (string, optional) [REDIS_URL]: the edges' Redis; with it, the leader reconciles expired leases
/// - `alerts.webhookURL` (string, optional) [ALERTS_WEBHOOK_URL]: where leak alerts are posted (JSON with a
///   Slack-compatible `text`); without it, incidents are only listed (`goosey leaks list`)
struct CoordinatorConfiguration: Sendable {
    var host: String
    var port: Int
    var postgresURL: String
    var ingestToken: String
    var redis: RedisEndpoint?
    var alertWebhookURL: String?

    init(reader: ConfigReader) throws {
        self.host = reader.string(forKey: "coordinator.host", default: "127.0.0.1")
        self.port = reader.int(forKey: "coordinator.port", default: 8081)
        guard let postgresURL = reader.string(forKey: "postgres.url", isSecret: true) else {
            throw ConfigurationError.missing("postgres.url (or POSTGRES_URL)")
        }
        guard let ingestToken = reader.string(forKey: "ingest.token", isSecret: true), ingestToken.count >= 16 else {
            throw ConfigurationError.missing("ingest.token (or INGEST_TOKEN), at least 16 characters")
        }
        self.postgresURL = postgresURL
        self.ingestToken = ingestToken
        self.redis = try reader.string(forKey: "redis.url", isSecret: true).map { try RedisEndpoint(url: $0) }
        // A Slack webhook URL is itself a credential.
        self.alertWebhookURL = reader.string(forKey: "alerts.webhookURL", isSecret: true)
    }

    var application: ApplicationConfiguration {
        ApplicationConfiguration(address: .hostname(self.host, port: self.port), serverName: nil)
    }
}

enum ConfigurationError: Error, CustomStringConvertible {
    case missing(String)

    var description: String {
        switch self {
        case .missing(let what): "the configuration has no \(what)"
        }
    }
}
