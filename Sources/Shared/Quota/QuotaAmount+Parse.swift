extension QuotaAmount {
    /// Parses staff input. Tokens: a decimal number with an optional `k` (thousand) or `M` (million) suffix
    /// and an optional trailing `tokens`; precise to a thousandth of a token. Dollars: a decimal number with a
    /// `$` prefix or a `usd` suffix (either case); precise to twelve decimals. `_` may group digits;
    /// a `,` is refused rather than guessed at (`1,5M`).
    /// - Throws: ``QuotaInputError/invalidAmount(text:reason:)`` naming the text, or
    ///   ``QuotaInputError/amountTooLarge(text:maximum:)`` above ``maximum``.
    public init(parsing text: String) throws(QuotaInputError) {
        var body = Self.trimmed(Substring(text))
        guard !body.isEmpty else {
            throw .invalidAmount(text: text, reason: "an amount is required, like \"500k\", \"2M\" or \"$40\"")
        }
        var kind = Kind.tokens
        if body.hasPrefix("$") {
            kind = .usd
            body = Self.trimmed(body.dropFirst())
        }
        if let number = Self.dropSuffix(["usd"], from: body) {
            kind = .usd
            body = number
        }
        let shift: Int
        switch kind {
        case .usd: shift = 12
        case .tokens:
            body = Self.dropSuffix(["tokens", "token", "tok"], from: body) ?? body
            (body, shift) = Self.splitMultiplier(body)
        }
        self.init(kind: kind, value: try Self.scaled(body, shift: shift, kind: kind, text: text))
    }

    /// A `k`/`K` or `m`/`M` suffix, as the number of decimal places it shifts milli-tokens by.
    private static func splitMultiplier(_ body: Substring) -> (Substring, Int) {
        switch body.last {
        case "k", "K": (Self.trimmed(body.dropLast()), 6)
        case "m", "M": (Self.trimmed(body.dropLast()), 9)
        default: (body, 3)
        }
    }

    /// `number × 10^shift` exactly, or the error that says why not.
    private static func scaled(
        _ number: Substring,
        shift: Int,
        kind: Kind,
        text: String
    ) throws(QuotaInputError)
        -> Int64
    {
        let examples = "use tokens like \"500k\", \"1.5M\" or \"250000\", or dollars like \"$40\" or \"12.50usd\""
        if number.hasPrefix("-") { throw .invalidAmount(text: text, reason: "an amount cannot be negative") }
        if number.contains(",") {
            throw .invalidAmount(text: text, reason: "use \".\" for decimals and no thousands separators")
        }
        let parts = number.filter { $0 != "_" }.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let whole = parts[0]
        let fraction = parts.count == 2 ? parts[1] : ""
        let isDigits = (whole + fraction).utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
        guard isDigits, !whole.isEmpty, parts.count == 1 || !fraction.isEmpty else {
            throw .invalidAmount(text: text, reason: examples)
        }
        guard fraction.count <= shift else {
            let finest = kind == .usd ? "twelve decimal places of a dollar" : "a thousandth of a token"
            throw .invalidAmount(text: text, reason: "more precise than \(finest)")
        }
        let digits = (whole + fraction + String(repeating: "0", count: shift - fraction.count)).drop { $0 == "0" }
        guard digits.count <= 18, let value = Int64(digits.isEmpty ? "0" : digits), value <= Self.maximum else {
            throw .amountTooLarge(text: text, maximum: QuotaAmount(kind: kind, value: Self.maximum).description)
        }
        return value
    }

    static func trimmed(_ text: Substring) -> Substring {
        guard let first = text.firstIndex(where: { !$0.isWhitespace }),
            let last = text.lastIndex(where: { !$0.isWhitespace })
        else { return "" }
        return text[first...last]
    }

    /// `text` without the first of `suffixes` it ends with (ignoring case), trimmed; nil if it ends with none.
    private static func dropSuffix(_ suffixes: [String], from text: Substring) -> Substring? {
        let lower = text.lowercased()
        guard let suffix = suffixes.first(where: { lower.hasSuffix($0) }) else { return nil }
        return Self.trimmed(text.dropLast(suffix.count))
    }
}
