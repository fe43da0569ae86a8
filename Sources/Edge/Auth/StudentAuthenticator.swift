import HTTPTypes
import Hummingbird
import Logging
import Shared

/// A request's student, once their key checks out.
struct AuthenticatedStudent: Sendable {
    var keyID: String
    /// The key's SHA-256, under which the directory stores it.
    var keyHash: String
    var student: StudentRef
    var policy: QuotaPolicy
}

/// A known key refused for its state (suspended or revoked): the refusal a student sees, and whose key it
/// was, so the attempt is logged against them. Answers as its refusal wherever it is not caught.
struct RefusedKey: HTTPResponseError {
    var record: KeyRecord
    var refusal: AnthropicError

    var status: HTTPResponse.Status { self.refusal.status }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        try self.refusal.response(from: request, context: context)
    }
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
        case .suspended: throw RefusedKey(record: record, refusal: .keySuspended)
        case .revoked: throw RefusedKey(record: record, refusal: .keyRevoked)
        }
        guard let policy = try await self.policy(record.student, logger: logger) else {
            throw AnthropicError.noAllowance
        }
        return AuthenticatedStudent(keyID: record.keyID, keyHash: hash, student: record.student, policy: policy)
    }

    /// The cache answers while the invalidation subscription is live. Otherwise Redis answers; and if Redis
    /// cannot, the last known answer stands in (a course that fails open keeps serving through an outage, and
    /// no revocation can be written to an unreachable Redis meanwhile). The cache is emptied on resubscribing.
    private func record(_ hash: String, logger: Logger) async throws -> DirectoryCache.KeyLookup {
        if self.subscription.isLive, let cached = self.cache.key(hash) { return cached }
        let generation = self.cache.generation
        do {
            let lookup: DirectoryCache.KeyLookup = try await self.directory.key(sha256Hex: hash).map { .known($0) } ?? .unknown
            self.cache.remember(lookup, for: hash, readAt: generation)
            return lookup
        } catch {
            logger.warning("key lookup failed", metadata: ["goosey.error": "\(error)"])
            guard let cached = self.cache.key(hash) else { throw AnthropicError.directoryUnavailable }
            return cached
        }
    }

    private func policy(_ student: StudentRef, logger: Logger) async throws -> QuotaPolicy? {
        if self.subscription.isLive, let cached = self.cache.policy(student) { return cached }
        let generation = self.cache.generation
        do {
            let policy = try await self.directory.policy(for: student)
            self.cache.remember(policy, for: student, readAt: generation)
            return policy
        } catch {
            logger.warning("policy lookup failed", metadata: ["goosey.error": "\(error)"])
            guard let cached = self.cache.policy(student) else { throw AnthropicError.directoryUnavailable }
            return cached
        }
    }
}
