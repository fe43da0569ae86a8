import HTTPTypes
import Shared

/// What the client sent to prove who it is, read from `x-api-key` or `Authorization: Bearer`
/// (Claude Code sends one or the other, or the same value in both with `apiKeyHelper`).
enum ClientCredential: Equatable {
    case missing
    /// A personal claude.ai login token (`sk-ant-oat01-…`, `sk-ant-ort01-…`).
    case personalToken
    /// A real Anthropic API key (`sk-ant-api03-…`, `sk-ant-admin01-…`).
    case anthropicKey
    /// Anything else: a candidate virtual key.
    case key(String)

    init(headers: HTTPFields) {
        let apiKey = headers[.xAPIKey].flatMap { $0.isEmpty ? nil : $0 }
        let value = apiKey ?? Self.bearerToken(headers[.authorization])
        guard let value, !value.isEmpty else {
            self = .missing
            return
        }
        if value.hasPrefix("sk-ant-oat") || value.hasPrefix("sk-ant-ort") {
            self = .personalToken
        } else if value.hasPrefix("sk-ant-") {
            self = .anthropicKey
        } else {
            self = .key(value)
        }
    }

    private static func bearerToken(_ authorization: String?) -> String? {
        guard let authorization else { return nil }
        let scheme = "bearer "
        guard authorization.count > scheme.count, authorization.prefix(scheme.count).lowercased() == scheme else {
            return nil
        }
        return String(authorization.dropFirst(scheme.count).trimmingSpaces())
    }
}
