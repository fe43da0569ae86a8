import HTTPTypes
import Foundation
import Hummingbird
import Logging
import Shared

/// The inference routes: authenticate, take the body whole and check it (it is scanned before any of it
/// leaves the edge; the quota hold, which only needs its size, is asked of Redis meanwhile), and hand it to
/// the upstream proxy.
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
        // A hold sized by the declared length travels to Redis while the body is read and checked.
        let declared = request.headers[.contentLength].flatMap(Int.init).flatMap { $0 <= EdgeLimits.maxRequestBodyBytes ? $0 : nil }
        let reservesEarly = spendsAllowance && declared != nil
        async let earlyReservation = reservesEarly
            ? self.reserve(student, requestID: context.requestID, requestBytes: declared ?? 0, drawingOnReserve: false, logger: logger) : nil
        if reservesEarly { await Task.yield() }  // the reserve goes out before the body's checks take the loop
        let body: ByteBuffer
        var exchange: Exchange
        do {
            (body, exchange) = try await self.checkedBody(request, context: context, student: student, checksJSON: checksJSON, started: started, logger: logger)
        } catch {
            if case .success(let admission)? = await earlyReservation { self.proxy.recorder.release(admission) }
            throw error
        }
        exchange.slot = slot
        if spendsAllowance {
            let reserved: Result<Admission, any Error>
            if let early = await earlyReservation, !(early.isRefusal && student.policy.reserve != nil) {
                reserved = early
            } else {
                // No early hold, or one refused before the course reserve could be drawn on: the body has passed now.
                reserved = await self.reserve(
                    student, requestID: context.requestID, requestBytes: body.readableBytes, drawingOnReserve: true, logger: logger
                )
            }
            try self.admit(reserved, into: &exchange)
        }
        return try await self.proxy.forward(request, body: body, exchange: exchange, client: context.channel, logger: logger)
    }

    /// The whole body, checked: JSON where `checksJSON` asks for it, and free of secrets that block.
    private func checkedBody(
        _ request: Request, context: EdgeRequestContext, student: AuthenticatedStudent, checksJSON: Bool, started: ContinuousClock.Instant,
        logger: Logger
    ) async throws -> (ByteBuffer, Exchange) {
        let body = try await Self.collectBody(request)
        if checksJSON, let failure = body.withUnsafeReadableBytes({ JSONValidator.validate($0) }) {
            throw AnthropicError.invalidJSON(failure.description)
        }
        var exchange = Self.exchange(
            request, context: context, keyID: student.keyID, student: student.student, requestBytes: body.readableBytes, started: started
        )
        exchange.requestBody = checksJSON ? body : nil
        if checksJSON { try await self.guardAgainstLeaks(body, student: student, exchange: &exchange, logger: logger) }
        return (body, exchange)
    }

    /// What the quota gate said, caught so it can be heard after the body's checks.
    private func reserve(
        _ student: AuthenticatedStudent, requestID: String, requestBytes: Int, drawingOnReserve: Bool, logger: Logger
    ) async -> Result<Admission, any Error> {
        do {
            return .success(
                try await self.gate.admit(student, requestID: requestID, requestBytes: requestBytes, drawingOnReserve: drawingOnReserve, logger: logger)
            )
        } catch {
            return .failure(error)
        }
    }

    /// Lets the request through with its hold and the headers that show the student's standing, or refuses it.
    private func admit(_ reserved: Result<Admission, any Error>, into exchange: inout Exchange) throws {
        let admitted: Admission
        switch reserved {
        case .success(let admission):
            admitted = admission
        case .failure(let refusal as AnthropicError):
            // Staff see refusals, and when in the period students hit their limit, from these records.
            self.proxy.recorder.recordFailure(exchange, status: Int(refusal.status.code), errorType: refusal.type)
            throw refusal
        case .failure(let refused as RefusedAfterDraw):
            self.proxy.recorder.recordFailure(
                exchange, status: Int(refused.refusal.status.code), errorType: refused.refusal.type, reserveDraw: refused.draw
            )
            throw refused.refusal
        case .failure(let error):
            throw error
        }
        if let before = admitted.before {
            exchange.extraHeaders = QuotaHeaders.allowed(before, policy: admitted.policy, window: admitted.window)
        }
        exchange.admission = admitted
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

extension Result<Admission, any Error> {
    /// The quota gate said no (a refusal to answer with), rather than failing to ask Redis.
    var isRefusal: Bool {
        if case .failure(let error) = self { return error is AnthropicError || error is RefusedAfterDraw }
        return false
    }
}
