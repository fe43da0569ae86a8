import HTTPTypes
import Foundation
import Hummingbird
import Logging
import Shared

/// The inference routes: authenticate, take the body whole (it is scanned before anything leaves
/// the edge), check it, and hand it to the upstream proxy.
struct ForwardingRoute: Sendable {
    let authenticator: StaticKeyAuthenticator
    let proxy: UpstreamProxy

    func handle(_ request: Request, context: EdgeRequestContext, checksJSON: Bool) async throws -> Response {
        let started = ContinuousClock.now
        let keyID = try self.authenticator.authenticate(request.headers)
        let body = try await Self.collectBody(request)
        if checksJSON, let failure = body.withUnsafeReadableBytes({ JSONValidator.validate($0) }) {
            throw AnthropicError.invalidJSON(failure.description)
        }
        var logger = context.logger
        logger[metadataKey: "goosey.key.id"] = "\(keyID)"
        let exchange = Exchange(
            requestID: context.requestID,
            keyID: keyID,
            method: request.method.rawValue,
            path: request.uri.path,
            claudeCodeSessionID: request.headers[.claudeCodeSessionID],
            requestBytes: body.readableBytes,
            receivedAtMillis: Int64(Date().timeIntervalSince1970 * 1000),
            started: started
        )
        return try await self.proxy.forward(request, body: body, exchange: exchange, logger: logger)
    }
}

extension ForwardingRoute {
    /// The whole body, or a 413 once it passes the limit.
    ///
    /// An oversized body is still read to its end (up to a bound) before the 413 goes out: SDK
    /// clients send the whole body before they read an answer, and would otherwise see a broken
    /// connection instead of the error.
    static func collectBody(_ request: Request) async throws -> ByteBuffer {
        let limit = EdgeLimits.maxRequestBodyBytes
        let declared = request.headers[.contentLength].flatMap(Int.init)
        var collected = ByteBuffer()
        if let declared, declared <= limit { collected.reserveCapacity(declared) }
        var total = 0
        for try await chunk in request.body {
            total += chunk.readableBytes
            if total <= limit {
                collected.writeImmutableBuffer(chunk)
            } else if total > EdgeLimits.maxDrainedBytes {
                break
            }
        }
        guard total <= limit else { throw AnthropicError.tooLarge(limit: limit) }
        return collected
    }
}

enum EdgeLimits {
    /// The Messages API's own limit (`anthropic-wire.md` §1.1).
    static let maxRequestBodyBytes = 32 * 1024 * 1024
    /// How much of an oversized body is read and dropped so the client can see its 413.
    static let maxDrainedBytes = 128 * 1024 * 1024
}

extension HTTPField.Name {
    static let claudeCodeSessionID = Self("x-claude-code-session-id")!
}
