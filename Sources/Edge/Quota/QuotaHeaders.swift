import Foundation
import HTTPTypes
import Shared

/// The headers that tell a student (and Claude Code) where their allowance stands
/// (`claude-code-quota-signals.md`): Claude Code warns past 75 % and 95 % and stops at a refusal.
enum QuotaHeaders {
    static let warningThresholds: [Double] = [0.95, 0.75]

    /// For a request that was let through.
    static func allowed(_ balance: QuotaStore.Balance, policy: QuotaPolicy, window: PeriodWindow) -> HTTPFields {
        let utilization = self.utilization(balance)
        let passed = self.warningThresholds.first { utilization > $0 }  // as Anthropic's own gateway decides
        let status = passed == nil ? "allowed" : "allowed_warning"
        var fields = self.goosey(balance, policy: policy, window: window)
        fields[.unifiedStatus] = status
        fields[.unifiedOverageStatus] = status
        fields[.unifiedRepresentativeClaim] = "overage"
        fields[.unifiedOverageUtilization] = self.fraction(utilization)
        if let passed { fields[.unifiedOverageSurpassedThreshold] = self.fraction(passed) }
        self.addReset(window, to: &fields)
        return fields
    }

    /// For the refusal once nothing is left: no `representative-claim` or `overage-status`, so Claude Code
    /// shows the message itself.
    static func refused(_ balance: QuotaStore.Balance, policy: QuotaPolicy, window: PeriodWindow, now: Date) -> HTTPFields {
        var fields = self.goosey(balance, policy: policy, window: window)
        fields[.unifiedStatus] = "rejected"
        fields[.unifiedOverageUtilization] = self.fraction(self.utilization(balance))
        fields[.unifiedOverageSurpassedThreshold] = "1"
        fields[.unifiedOveragePeriod] = self.periodName(policy.period)
        fields[.unifiedOverageDisabledReason] = "org_spend_cap_reached"
        fields[.retryAfter] = String(max(1, Int(window.end.timeIntervalSince(now).rounded(.up))))
        fields[.shouldRetry] = "false"
        self.addReset(window, to: &fields)
        return fields
    }

    /// `x-goosey-remaining`, `x-goosey-limit` (in the policy's unit) and `x-goosey-reset` (RFC 3339).
    static func goosey(_ balance: QuotaStore.Balance, policy: QuotaPolicy, window: PeriodWindow) -> HTTPFields {
        var fields = HTTPFields()
        fields[.gooseyRemaining] = QuotaDisplay.amount(max(balance.remaining, 0), unit: policy.unit)
        fields[.gooseyLimit] = QuotaDisplay.amount(balance.total, unit: policy.unit)
        fields[.gooseyReset] = QuotaDisplay.rfc3339(window.end)
        return fields
    }

    static func utilization(_ balance: QuotaStore.Balance) -> Double {
        guard balance.total > 0 else { return balance.used > 0 ? 1 : 0 }
        return Double(balance.used) / Double(balance.total)
    }

    /// Two decimals, rounded down (`0.75`, `1.00`).
    static func fraction(_ value: Double) -> String {
        let hundredths = Int64(max(value * 100, 0).rounded(.down))
        let cents = hundredths % 100
        return "\(hundredths / 100)." + (cents < 10 ? "0\(cents)" : String(cents))
    }

    static func periodName(_ period: PeriodSpec) -> String {
        switch period.length {
        case .days(let days) where days == 1: "daily"
        case .days(let days) where days % 7 == 0: "weekly"
        case .days: "daily"
        case .months: "monthly"
        }
    }

    private static func addReset(_ window: PeriodWindow, to fields: inout HTTPFields) {
        let seconds = String(Int64(window.end.timeIntervalSince1970))
        fields[.unifiedReset] = seconds
        fields[.unifiedOverageReset] = seconds
    }
}

extension HTTPField.Name {
    static let unifiedStatus = Self("anthropic-ratelimit-unified-status")!
    static let unifiedOverageStatus = Self("anthropic-ratelimit-unified-overage-status")!
    static let unifiedRepresentativeClaim = Self("anthropic-ratelimit-unified-representative-claim")!
    static let unifiedOverageUtilization = Self("anthropic-ratelimit-unified-overage-utilization")!
    static let unifiedOverageSurpassedThreshold = Self("anthropic-ratelimit-unified-overage-surpassed-threshold")!
    static let unifiedReset = Self("anthropic-ratelimit-unified-reset")!
    static let unifiedOverageReset = Self("anthropic-ratelimit-unified-overage-reset")!
    static let unifiedOveragePeriod = Self("anthropic-ratelimit-unified-overage-period")!
    static let unifiedOverageDisabledReason = Self("anthropic-ratelimit-unified-overage-disabled-reason")!
    static let shouldRetry = Self("x-should-retry")!
    static let gooseyRemaining = Self("x-goosey-remaining")!
    static let gooseyLimit = Self("x-goosey-limit")!
    static let gooseyReset = Self("x-goosey-reset")!
}
