import Foundation
import HTTPTypes
import Shared

/// The answer once a student's allowance is used up: 429 `billing_error` with `x-should-retry: false`, the
/// shape Anthropic's own gateway uses for spend limits (`anthropic-wire.md` §4.4), so Claude Code shows the
/// message and stops instead of retrying.
enum QuotaRefusal {
    static func error(_ balance: QuotaStore.Balance, policy: QuotaPolicy, window: PeriodWindow, now: Date) -> AnthropicError {
        AnthropicError(
            status: .tooManyRequests,
            type: "billing_error",
            message: self.message(balance, policy: policy, window: window),
            extraHeaders: QuotaHeaders.refused(balance, policy: policy, window: window, now: now)
        )
    }

    /// What is left is all held by the student's requests still running (parallel subagents): a
    /// retryable 429, so Claude Code waits a moment instead of stopping for the period.
    static let heldInFlight = AnthropicError(
        status: .tooManyRequests,
        type: "rate_limit_error",
        message: "Goosey: the rest of your allowance is held by your requests still running; retrying shortly.",
        extraHeaders: [.retryAfter: "2", .shouldRetry: "true"]
    )

    static func message(_ balance: QuotaStore.Balance, policy: QuotaPolicy, window: PeriodWindow) -> String {
        let unit = QuotaDisplay.unitName(policy.unit)
        let used = QuotaDisplay.amount(balance.used, unit: policy.unit)
        let total = QuotaDisplay.amount(balance.total, unit: policy.unit)
        let reset = QuotaDisplay.localTime(window.end, timeZone: policy.period.timeZoneIdentifier)
        return "spend limit reached · resets \(reset) (\(policy.period.timeZoneIdentifier)) · "
            + "Goosey: you have used \(used) of your \(total) \(unit) for this period. "
            + "Your allowance resets \(reset) (\(policy.period.timeZoneIdentifier)); "
            + "if you need more before then, ask your course staff for a grant."
    }
}
