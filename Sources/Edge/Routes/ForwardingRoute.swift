import HTTPTypes
import Foundation
import Hummingbird
import Logging
import Shared

/// The inference routes: authenticate, take the body whole (it is scanned before anything leaves
/// the edge), check it, and hand it to the upstream proxy.
struct ForwardingRoute: Sendable {
    let authenticator: StudentAuthenticator
    let leakGuard: LeakGuard
    let gate: QuotaGate
    let throttle: KeyThrottle
    let proxy: UpstreamProxy

    /// - Parameter spendsAllowance: true for inference, which holds allowance; `count_tokens` and the
    ///   model list are free and never refused for quota.
    func handle(_ request: Request, context: EdgeRequestContext, checksJSON: Bool, spendsAllowance: Bool) async throws -> Response {
        let started = ContinuousClock.now
        var logger = context.logger
        let student: AuthenticatedStudent
        do {
            student = try await self.authenticator.authenticate(request.headers, logger: logger)
        } catch let refused as RefusedKey {
            // A suspended student who keeps trying is in the log too, without the body that was never read.
            let exchange = Self.exchange(
                request, context: context, keyID: refused.record.keyID, student: refused.record.student,
                requestBytes: request.headers[.contentLength].flatMap(Int.init) ?? 0, started: started
            )
            self.proxy.recorder.recordFailure(exchange, status: Int(refused.status.code), errorType: refused.refusal.type)
            throw refused.refusal
        }
        logger[metadataKey: "goosey.key.id"] = "\(student.keyID)"
        let slot: KeyThrottle.Slot?
        do {
            slot = try self.throttle.admit(student.keyID)
        } catch {
            throw AnthropicError.throttled(error)
        }
        let body = try await Self.collectBody(request)
        if checksJSON, let failure = body.withUnsafeReadableBytes({ JSONValidator.validate($0) }) {
            throw AnthropicError.invalidJSON(failure.description)
        }
        var exchange = Self.exchange(
            request, context: context, keyID: student.keyID, student: student.student, requestBytes: body.readableBytes, started: started
        )
        exchange.requestBody = checksJSON ? body : nil
        exchange.slot = slot
        if checksJSON { try await self.guardAgainstLeaks(body, student: student, exchange: &exchange, logger: logger) }
        if spendsAllowance {
            let admitted: Admission
            do {
                admitted = try await self.gate.admit(student, requestID: context.requestID, requestBytes: body.readableBytes, logger: logger)
            } catch let refusal as AnthropicError {
                // Staff see refusals, and when in the period students hit their limit, from these records.
                self.proxy.recorder.recordFailure(exchange, status: Int(refusal.status.code), errorType: refusal.type)
                throw refusal
            }
            if let before = admitted.before {
                exchange.extraHeaders = QuotaHeaders.allowed(before, policy: admitted.policy, window: admitted.window)
            }
            exchange.admission = admitted
        }
        return try await self.proxy.forward(request, body: body, exchange: exchange, client: context.channel, logger: logger)
    }

    /// Scans the body; with a secret in it, the record keeps the redacted body and the notes, and a secret that
    /// blocks ends the request here (recorded, never forwarded).
    private func guardAgainstLeaks(_ body: ByteBuffer, student: AuthenticatedStudent, exchange: inout Exchange, logger: Logger) async throws {
        let findings = self.leakGuard.scan(body, policy: student.policy)
        guard !findings.isEmpty else { return }
        let assessment = await self.leakGuard.assess(findings, in: body, student: student, logger: logger)
        exchange.leaks = assessment.notes
        exchange.requestBody = body.withUnsafeReadableBytes { ByteBuffer(bytes: SecretRedaction.redact($0, findings: findings)) }
        guard let refusal = assessment.refusal else { return }
        logger.notice("request refused: secret found", metadata: ["goosey.leak.kinds": "\(assessment.notes.map(\.kind))"])
        self.proxy.recorder.recordFailure(exchange, status: Int(refusal.status.code), errorType: refusal.type)
        throw refusal
    }
}

extension ForwardingRoute {
    /// What the edge knows of `request` once it knows whose key it carries.
    static func exchange(
        _ request: Request, context: EdgeRequestContext, keyID: String, student: StudentRef, requestBytes: Int,
        started: ContinuousClock.Instant
    ) -> Exchange {
        Exchange(
            requestID: context.requestID,
            keyID: keyID,
            student: student,
            method: request.method.rawValue,
            path: request.uri.path,
            claudeCodeSessionID: request.headers[.claudeCodeSessionID],
            requestBytes: requestBytes,
            receivedAtMillis: Int64(Date().timeIntervalSince1970 * 1000),
            started: started,
            executor: context.executor
        )
    }

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
