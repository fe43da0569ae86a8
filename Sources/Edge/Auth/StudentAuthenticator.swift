import HTTPTypes
import Logging
import Shared

/// A request's student, once their key checks out.
struct AuthenticatedStudent: Sendable {
    var keyID: String
    var student: StudentRef
    var policy: QuotaPolicy
}

/// Authenticates virtual keys: the format and checksum first (no Redis for garbage), then the key's
/// record and its student's policy, from the cache or from Redis.
struct StudentAuthenticator: Sendable {
    let directory: Directory
    let cache: DirectoryCache
    let subscription: SubscriptionState

    func authenticate(_ headers: HTTPFields, logger: Logger) async throws -> AuthenticatedStudent {
        let text: String
        switch ClientCredential(headers: headers) {
        case .missing: throw AnthropicError.missingKey
        case .personalToken: throw AnthropicError.personalToken
        case .anthropicKey: throw AnthropicError.anthropicKey
        case .key(let key): text = key
        }
        guard let key = VirtualKey(parsing: text) else { throw AnthropicError.unknownKey }
        let hash = key.sha256Hex
        guard case .known(let record) = try await self.record(hash, logger: logger) else { throw AnthropicError.unknownKey }
        switch record.state {
        case .active: break
        case .suspended: throw AnthropicError.keySuspended
        case .revoked: throw AnthropicError.keyRevoked
        }
        guard let policy = try await self.policy(record.student, logger: logger) else {
            throw AnthropicError.noAllowance
        }
        return AuthenticatedStudent(keyID: record.keyID, student: record.student, policy: policy)
    }

    private func record(_ hash: String, logger: Logger) async throws -> DirectoryCache.KeyLookup {
        let trusted = self.subscription.isLive
        if trusted, let cached = self.cache.key(hash) { return cached }
        let lookup: DirectoryCache.KeyLookup
        do {
            lookup = try await self.directory.key(sha256Hex: hash).map { .known($0) } ?? .unknown
        } catch {
            logger.warning("key lookup failed", metadata: ["goosey.error": "\(error)"])
            throw AnthropicError.directoryUnavailable
        }
        if trusted { self.cache.remember(lookup, for: hash) }
        return lookup
    }

    private func policy(_ student: StudentRef, logger: Logger) async throws -> QuotaPolicy? {
        let trusted = self.subscription.isLive
        if trusted, let cached = self.cache.policy(student) { return cached }
        let policy: QuotaPolicy?
        do {
            policy = try await self.directory.policy(for: student)
        } catch {
            logger.warning("policy lookup failed", metadata: ["goosey.error": "\(error)"])
            throw AnthropicError.directoryUnavailable
        }
        if trusted { self.cache.remember(policy, for: student) }
        return policy
    }
}
