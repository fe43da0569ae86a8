import Configuration
import Foundation
import NIOCore

/// Where the edge sends traffic and with which key. Keys (environment variable in brackets):
/// - `upstream.url` (string, default "https://api.anthropic.com") [UPSTREAM_URL]
/// - `upstream.apiKeyFile` (string, optional: a file holding the key) [UPSTREAM_API_KEY_FILE]
/// - `upstream.connectTimeoutSeconds` (int, default 10) [UPSTREAM_CONNECT_TIMEOUT_SECONDS]
/// - `upstream.headTimeoutSeconds` (int, default 600: how long an answer may take to begin; a non-streaming one
///   begins when it is whole, and the SDKs wait 10 minutes for it)
/// - `upstream.idleTimeoutSeconds` (int, default 310: Claude Code gives up after 300 s of silence)
/// - `upstream.maxIdleConnections` (int, default 4096: connections kept open between requests, over all event loops)
/// - the real key itself only from the environment [ANTHROPIC_API_KEY] or the file `upstream.apiKeyFile`
///   names; never from `goosey.toml` itself or a command-line flag.
struct UpstreamConfiguration: Sendable {
    var endpoint: UpstreamEndpoint
    var apiKey: String
    var connectTimeout: TimeAmount
    var headTimeout: TimeAmount
    var idleTimeout: TimeAmount
    var maxIdleConnections: Int

    enum ConfigurationError: Error, CustomStringConvertible {
        case missingKey
        case unreadableKeyFile(String)
        case badURL(String)

        var description: String {
            switch self {
            case .missingKey: "no upstream key: set ANTHROPIC_API_KEY, or upstream.apiKeyFile to a file holding it"
            case .unreadableKeyFile(let path): "upstream.apiKeyFile: cannot read \(path)"
            case .badURL(let url): "upstream.url: `\(url)` is not an http(s) URL"
            }
        }
    }

    init(reader: ConfigReader, environment: [String: String]) throws {
        let url = reader.string(forKey: "upstream.url", default: "https://api.anthropic.com")
        guard let endpoint = UpstreamEndpoint(url: url) else { throw ConfigurationError.badURL(url) }
        self.endpoint = endpoint
        self.apiKey = try Self.apiKey(reader: reader, environment: environment)
        self.connectTimeout = .seconds(Int64(reader.int(forKey: "upstream.connectTimeoutSeconds", default: 10)))
        self.headTimeout = .seconds(Int64(reader.int(forKey: "upstream.headTimeoutSeconds", default: 600)))
        self.idleTimeout = .seconds(Int64(reader.int(forKey: "upstream.idleTimeoutSeconds", default: 310)))
        self.maxIdleConnections = reader.int(forKey: "upstream.maxIdleConnections", default: 4096)
    }

    private static func apiKey(reader: ConfigReader, environment: [String: String]) throws -> String {
        if let key = environment["ANTHROPIC_API_KEY"], !key.isEmpty { return key }
        guard let path = reader.string(forKey: "upstream.apiKeyFile") else { throw ConfigurationError.missingKey }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError.unreadableKeyFile(path)
        }
        let key = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !key.isEmpty else { throw ConfigurationError.missingKey }
        return key
    }
}
