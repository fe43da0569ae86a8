/// What each kind of token costs, in pico-dollars per token ($/MTok × 10⁶).
public struct TokenRates: Sendable, Equatable, Hashable, Codable {
    public var input: PicoDollars
    public var cacheWrite5m: PicoDollars
    public var cacheWrite1h: PicoDollars
    public var cacheRead: PicoDollars
    public var output: PicoDollars

    public init(
        input: PicoDollars,
        cacheWrite5m: PicoDollars,
        cacheWrite1h: PicoDollars,
        cacheRead: PicoDollars,
        output: PicoDollars
    ) {
        self.input = input
        self.cacheWrite5m = cacheWrite5m
        self.cacheWrite1h = cacheWrite1h
        self.cacheRead = cacheRead
        self.output = output
    }

    /// Rates as the price page writes them, in $ per million tokens: `TokenRates(usdPerMTok: "3", "3.75",
    /// "6", "0.30", "15")`. Traps on a malformed literal: the table is code, and a test loads it.
    public init(
        usdPerMTok input: String,
        _ cacheWrite5m: String,
        _ cacheWrite1h: String,
        _ cacheRead: String,
        _ output: String
    ) {
        func rate(_ text: String) -> PicoDollars {
            guard let rate = Money.picoDollarsPerToken(usdPerMTok: text) else {
                preconditionFailure("bad rate \(text)")
            }
            return rate
        }
        self.init(
            input: rate(input),
            cacheWrite5m: rate(cacheWrite5m),
            cacheWrite1h: rate(cacheWrite1h),
            cacheRead: rate(cacheRead),
            output: rate(output)
        )
    }

    /// Every rate × `percent` / 100, rounded half up (exact for the table: its rates are multiples of 10⁴).
    public func scaled(percent: Int64) -> TokenRates {
        func scale(_ rate: PicoDollars) -> PicoDollars { Saturating.scale(rate, by: percent, over: 100) }
        return TokenRates(
            input: scale(self.input),
            cacheWrite5m: scale(self.cacheWrite5m),
            cacheWrite1h: scale(self.cacheWrite1h),
            cacheRead: scale(self.cacheRead),
            output: scale(self.output)
        )
    }

    /// The token part of a price: each count × its rate, summed, saturating rather than overflowing.
    public func cost(of usage: TokenUsage) -> PicoDollars {
        var sum = Saturating.multiply(usage.inputTokens, self.input)
        sum = Saturating.add(sum, Saturating.multiply(usage.cacheCreation5mTokens, self.cacheWrite5m))
        sum = Saturating.add(sum, Saturating.multiply(usage.cacheCreation1hTokens, self.cacheWrite1h))
        sum = Saturating.add(sum, Saturating.multiply(usage.cacheReadTokens, self.cacheRead))
        return Saturating.add(sum, Saturating.multiply(usage.outputTokens, self.output))
    }
}
