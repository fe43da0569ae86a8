/// An allowance amount as staff write it (`500k`, `1.5M`, `250000`, `$40`, `12.50usd`), held exactly as an
/// integer: milli-tokens (weighted) for tokens, pico-dollars for USD.
///
/// Every amount stays at or below ``maximum`` (2⁵⁰), far enough below 2⁵³ that the Redis Lua scripts, whose
/// numbers are doubles, add a few of them exactly.
public struct QuotaAmount: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Which unit an amount is in; ``QuotaUnit/kind`` says which one a policy counts in.
    public enum Kind: String, Sendable, Hashable, Codable {
        case tokens
        case usd
    }

    /// The largest limit, grant or carry-over: 2⁵⁰, about 1.13 trillion weighted tokens or $1,125.90.
    public static let maximum: Int64 = 1 << 50

    public var kind: Kind
    /// Milli-tokens for ``Kind/tokens``, pico-dollars for ``Kind/usd``.
    public var value: Int64

    public init(kind: Kind, value: Int64) {
        self.kind = kind
        self.value = value
    }

    /// Tokens with a `k` or `M` suffix when that reads exactly (`500k`, `1.5M`, `250.5k`), else plain
    /// (`1234567`, `12.5`); or dollars (`$12.50`). Parses back to the same amount.
    public var description: String {
        switch self.kind {
        case .usd: "$" + Money.usdString(self.value)
        case .tokens: Self.tokenText(milliTokens: self.value)
        }
    }

    static func tokenText(milliTokens value: Int64) -> String {
        let magnitude = value.magnitude
        if magnitude >= 1_000_000_000 && magnitude % 1_000_000 == 0 {
            return Self.decimal(value, fractionDigits: 9) + "M"
        }
        if magnitude >= 1_000_000 && magnitude % 100_000 == 0 {
            return Self.decimal(value, fractionDigits: 6) + "k"
        }
        return Self.decimal(value, fractionDigits: 3)
    }

    /// `value / 10^fractionDigits` in decimal, trailing fractional zeros trimmed.
    static func decimal(_ value: Int64, fractionDigits: Int) -> String {
        var divisor: UInt64 = 1
        for _ in 0..<fractionDigits { divisor *= 10 }
        let magnitude = value.magnitude
        let whole = (value < 0 ? "-" : "") + String(magnitude / divisor)
        var fraction = String(magnitude % divisor)
        fraction = String(repeating: "0", count: fractionDigits - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return fraction.isEmpty ? whole : whole + "." + fraction
    }
}
