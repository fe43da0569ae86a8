/// Money in integer pico-dollars (10⁻¹² USD). Every listed rate and multiplier stays integral
/// (`anthropic-wire.md` §7.2), and Int64 holds about $9.2 M. No floating point anywhere.
public typealias PicoDollars = Int64

/// Conversions between pico-dollars and decimal USD text.
public enum Money {
    public static let picoDollarsPerDollar: PicoDollars = 1_000_000_000_000

    /// Exact decimal USD, trailing zeros trimmed to at least two places: 123_000_000 → `"0.000123"`,
    /// 1_500_000_000_000 → `"1.50"`, -5 → `"-0.000000000005"`.
    public static func usdString(_ amount: PicoDollars) -> String {
        let magnitude = amount.magnitude
        let perDollar = UInt64(Self.picoDollarsPerDollar)
        var fraction = String(magnitude % perDollar)
        fraction = String(repeating: "0", count: 12 - fraction.count) + fraction
        while fraction.count > 2 && fraction.hasSuffix("0") { fraction.removeLast() }
        return (amount < 0 ? "-" : "") + "\(magnitude / perDollar).\(fraction)"
    }

    /// Parses non-negative decimal USD (`"0.000123"`, `"10"`) exactly; nil for anything else or for more
    /// than twelve decimal places.
    public static func picoDollars(usd text: String) -> PicoDollars? {
        Self.scaledDecimal(text, fractionDigits: 12)
    }

    /// A rate in pico-dollars per token from the price page's "$ per million tokens": `"3.75"` → 3,750,000.
    public static func picoDollarsPerToken(usdPerMTok text: String) -> PicoDollars? {
        Self.scaledDecimal(text, fractionDigits: 6)
    }

    /// `text` × 10^fractionDigits as an integer, if `text` is digits with at most that many decimals.
    private static func scaledDecimal(_ text: String, fractionDigits: Int) -> Int64? {
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let whole = parts[0]
        let fraction = parts.count == 2 ? parts[1] : ""
        guard !whole.isEmpty, fraction.count <= fractionDigits, parts.count == 1 || !fraction.isEmpty,
            whole.count + fractionDigits <= 18,
            (whole + fraction).utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
        else { return nil }
        let padded = whole + fraction + String(repeating: "0", count: fractionDigits - fraction.count)
        return Int64(padded)
    }
}

/// Overflow-safe integer arithmetic for money: a wild token count saturates instead of trapping.
enum Saturating {
    static func multiply(_ lhs: Int64, _ rhs: Int64) -> Int64 {
        let (product, overflow) = lhs.multipliedReportingOverflow(by: rhs)
        guard overflow else { return product }
        return (lhs < 0) == (rhs < 0) ? .max : .min
    }

    static func add(_ lhs: Int64, _ rhs: Int64) -> Int64 {
        let (sum, overflow) = lhs.addingReportingOverflow(rhs)
        guard overflow else { return sum }
        return rhs > 0 ? .max : .min
    }

    /// `value × numerator / denominator`, rounded half up (exact for the table's rates and multipliers).
    static func scale(_ value: Int64, by numerator: Int64, over denominator: Int64) -> Int64 {
        precondition(denominator > 0)
        let product = Self.multiply(value, numerator)
        guard product < .max - denominator / 2 else { return product / denominator }
        return (product + denominator / 2) / denominator
    }
}
