import Foundation
import HTTPTypes
import Hummingbird
import Shared

/// `GET /v1/goosey/me`: a student's own balance, period and this period's usage by token class, for a
/// status line in Claude Code (`ops/goosey-statusline`).
struct MeRoute: Sendable {
    let authenticator: StudentAuthenticator
    let store: QuotaStore
    let now: @Sendable () -> Date

    struct Body: Encodable {
        var course: String
        var student: String
        var keyID: String
        var unit: String
        var limit: String
        var used: String
        var held: String
        var remaining: String
        var utilization: Double
        var periodStart: String
        var reset: String
        var timeZone: String
        var usage: TokenUsage
    }

    func handle(_ request: Request, context: EdgeRequestContext) async throws -> Response {
        let student = try await self.authenticator.authenticate(request.headers, logger: context.logger)
        let policy = student.policy
        let window = policy.period.window(containing: self.now())
        let (balance, usage): (QuotaStore.Balance, TokenUsage)
        do {
            (balance, usage) = try await self.store.balance(student.student, policy: policy, window: window)
        } catch {
            throw AnthropicError.quotaUnavailable
        }
        let body = Body(
            course: student.student.course,
            student: student.student.student,
            keyID: student.keyID,
            unit: QuotaDisplay.unitName(policy.unit),
            limit: QuotaDisplay.amount(balance.total, unit: policy.unit),
            used: QuotaDisplay.amount(balance.used, unit: policy.unit),
            held: QuotaDisplay.amount(balance.held, unit: policy.unit),
            remaining: QuotaDisplay.amount(max(balance.remaining, 0), unit: policy.unit),
            utilization: QuotaHeaders.utilization(balance),
            periodStart: QuotaDisplay.rfc3339(window.start),
            reset: QuotaDisplay.rfc3339(window.end),
            timeZone: policy.period.timeZoneIdentifier,
            usage: usage
        )
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var headers = QuotaHeaders.goosey(balance, policy: policy, window: window)
        headers[.contentType] = "application/json"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: try encoder.encode(body))))
    }
}
