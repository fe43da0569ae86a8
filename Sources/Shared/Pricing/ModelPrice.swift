/// One row of the price table: the model ids it covers and their rates (`anthropic-wire.md` §7.2).
public struct ModelPrice: Sendable, Equatable, Hashable, Codable {
    /// For people: `"Claude Sonnet 4.6"`.
    public var name: String
    /// Normalized ids and aliases this row prices (`claude-sonnet-4-6`); see `PricingTable.normalizedModelID`.
    public var ids: [String]
    public var rates: TokenRates
    /// A prompt-length band that reprices the whole request (Haiku 5.5 > 100K; Sonnet 4.5/4 > 200K with the 1M beta).
    public var band: PriceBand?
    /// Percent multipliers by `usage.inference_geo`: `["us": 110]` for Opus 4.6 and newer (§7.1).
    public var inferenceGeoPercent: [String: Int64]

    public init(
        name: String,
        ids: [String],
        rates: TokenRates,
        band: PriceBand? = nil,
        inferenceGeoPercent: [String: Int64] = [:]
    ) {
        self.name = name
        self.ids = ids
        self.rates = rates
        self.band = band
        self.inferenceGeoPercent = inferenceGeoPercent
    }

    /// The rates for one sampling call with this much total input (input + cache writes + cache reads).
    public func rates(totalInputTokens: Int64, longContextBeta: Bool) -> TokenRates {
        guard let band = self.band, totalInputTokens > band.aboveInputTokens,
            longContextBeta || !band.requiresLongContextBeta
        else { return self.rates }
        return band.rates
    }
}

/// Rates that replace a row's for every token of a request whose total input exceeds `aboveInputTokens`.
public struct PriceBand: Sendable, Equatable, Hashable, Codable {
    public var aboveInputTokens: Int64
    public var rates: TokenRates
    /// The band exists only for requests that asked for the 1M-context beta (`context-1m-2025-08-07`).
    public var requiresLongContextBeta: Bool

    public init(aboveInputTokens: Int64, rates: TokenRates, requiresLongContextBeta: Bool = false) {
        self.aboveInputTokens = aboveInputTokens
        self.rates = rates
        self.requiresLongContextBeta = requiresLongContextBeta
    }
}
