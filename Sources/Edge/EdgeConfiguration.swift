import Configuration
import Foundation
import Hummingbird
import Logging

/// Edge settings, read once at start. Keys (environment variable in brackets):
/// - `http.host` (string, default "127.0.0.1") [HTTP_HOST]
/// - `http.port` (int, default 8080) [HTTP_PORT]
/// - `log.level` (string, default "notice") [LOG_LEVEL]
/// - `auth.keys` (string array: the students' keys until virtual keys arrive) [AUTH_KEYS, comma-separated]
/// - `records.path` (string, optional: where request records are appended) [RECORDS_PATH]
/// - the `upstream.*` keys of `UpstreamConfiguration`
struct EdgeConfiguration: Sendable {
    var host: String
    var port: Int
    var logLevel: Logger.Level
    var keys: [String]
    var recordsPath: String?
    var upstream: UpstreamConfiguration

    init(reader: ConfigReader, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        self.host = reader.string(forKey: "http.host", default: "127.0.0.1")
        self.port = reader.int(forKey: "http.port", default: 8080)
        self.logLevel = Logger.Level(rawValue: reader.string(forKey: "log.level", default: "notice")) ?? .notice
        self.keys = reader.stringArray(forKey: "auth.keys", isSecret: true, default: [])
        self.recordsPath = reader.string(forKey: "records.path")
        self.upstream = try UpstreamConfiguration(reader: reader, environment: environment)
    }

    var application: ApplicationConfiguration {
        ApplicationConfiguration(address: .hostname(self.host, port: self.port), serverName: nil)
    }
}
