/// Why staff input for a quota policy was refused. Each message quotes the text at fault and says what
/// would be accepted; none of it is secret.
public enum QuotaInputError: Error, Sendable, Equatable, CustomStringConvertible {
    /// An allowance amount (`500k`, `$40`) that does not parse.
    case invalidAmount(text: String, reason: String)
    /// An amount above ``QuotaAmount/maximum``.
    case amountTooLarge(text: String, maximum: String)
    /// A reset period (`7d`, `1mo`) that does not parse or is out of range.
    case invalidPeriod(text: String, reason: String)
    /// An anchor (`mon 00:00`, `1 00:00`) that does not parse or does not fit the period.
    case invalidAnchor(text: String, reason: String)
    /// A time-zone identifier the system does not know.
    case unknownTimeZone(text: String, suggestion: String?)
    /// A policy whose fields do not fit together (a negative limit, a percentage over 100, …).
    case invalidPolicy(reason: String)

    public var description: String {
        switch self {
        case .invalidAmount(let text, let reason): "invalid amount \"\(text)\": \(reason)"
        case .amountTooLarge(let text, let maximum): "amount \"\(text)\" is too large: the most is \(maximum)"
        case .invalidPeriod(let text, let reason): "invalid reset period \"\(text)\": \(reason)"
        case .invalidAnchor(let text, let reason): "invalid anchor \"\(text)\": \(reason)"
        case .unknownTimeZone(let text, let suggestion):
            "unknown time zone \"\(text)\": use an IANA identifier like \"Australia/Sydney\" or \"UTC\""
                + (suggestion.map { " (did you mean \"\($0)\"?)" } ?? "")
        case .invalidPolicy(let reason): "invalid quota policy: \(reason)"
        }
    }

    /// A bounded label for metrics and logs.
    public var kind: String {
        switch self {
        case .invalidAmount: "invalid_amount"
        case .amountTooLarge: "amount_too_large"
        case .invalidPeriod: "invalid_period"
        case .invalidAnchor: "invalid_anchor"
        case .unknownTimeZone: "unknown_time_zone"
        case .invalidPolicy: "invalid_policy"
        }
    }
}
