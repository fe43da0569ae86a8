extension PricingTable {
    /// The §7.2 table of `anthropic-wire.md` (read 2026-11-22). Columns: input, 5m write, 1h write, cache
    /// read, output, in $ per million tokens. Rows marked "Verify" there come from third-party reads.
    public static let standard = PricingTable(
        models: Self.fableRows + Self.opusRows + Self.sonnetRows + Self.haikuRows,
        fallback: ModelPrice(
            name: "Unknown model",
            ids: [],
            rates: TokenRates(usdPerMTok: "5", "6.25", "10", "0.50", "25"),
            inferenceGeoPercent: Self.usOnlySurcharge  // an unplaced id is most likely a new model
        ),
        webSearchPerRequest: 10_000_000_000,  // $10 / 1,000 searches
        batchPercent: 50
    )

    /// `inference_geo: "us"` costs 1.1 × on every token category for Opus 4.6 and newer (§7.1).
    static let usOnlySurcharge: [String: Int64] = ["us": 110]

    static let fableRows = [
        ModelPrice(
            name: "Claude Fable 5.2",
            ids: ["claude-fable-5-2"],
            rates: TokenRates(usdPerMTok: "8", "10", "16", "0.20", "40")
        ),
        ModelPrice(
            name: "Claude Fable 5.1 / Mythos 5.1",
            ids: ["claude-fable-5-1", "claude-mythos-5-1"],
            rates: TokenRates(usdPerMTok: "10", "12.50", "20", "0.25", "50")
        ),
        ModelPrice(
            name: "Claude Fable 5 / Mythos 5",
            ids: ["claude-fable-5", "claude-mythos-5"],
            rates: TokenRates(usdPerMTok: "10", "12.50", "20", "1.00", "50")
        ),
    ]

    static let opusRows = [
        ModelPrice(
            name: "Claude Opus 5.5",
            ids: ["claude-opus-5-5"],
            rates: TokenRates(usdPerMTok: "4", "5", "8", "0.20", "20"),
            inferenceGeoPercent: Self.usOnlySurcharge
        ),
        ModelPrice(
            name: "Claude Opus 5",
            ids: ["claude-opus-5"],
            rates: TokenRates(usdPerMTok: "5", "6.25", "10", "0.50", "25"),
            inferenceGeoPercent: Self.usOnlySurcharge
        ),
        ModelPrice(
            name: "Claude Opus 4.8 / 4.7 / 4.6",
            ids: ["claude-opus-4-8", "claude-opus-4-7", "claude-opus-4-6"],
            rates: TokenRates(usdPerMTok: "5", "6.25", "10", "0.50", "25"),
            inferenceGeoPercent: Self.usOnlySurcharge
        ),
        ModelPrice(
            name: "Claude Opus 4.5",
            ids: ["claude-opus-4-5"],
            rates: TokenRates(usdPerMTok: "5", "6.25", "10", "0.50", "25")
        ),
        ModelPrice(
            name: "Claude Opus 4.1 / Opus 4",
            ids: ["claude-opus-4-1", "claude-opus-4", "claude-opus-4-0"],
            rates: TokenRates(usdPerMTok: "15", "18.75", "30", "1.50", "75")
        ),
    ]

    static let sonnetRows = [
        ModelPrice(
            name: "Claude Sonnet 5.5",
            ids: ["claude-sonnet-5-5"],
            rates: TokenRates(usdPerMTok: "2", "2.50", "4", "0.10", "10")
        ),
        ModelPrice(
            name: "Claude Sonnet 5",
            ids: ["claude-sonnet-5"],
            rates: TokenRates(usdPerMTok: "2", "2.50", "4", "0.20", "10")
        ),
        // 1M context at the standard price since 2026-03-13: no band.
        ModelPrice(
            name: "Claude Sonnet 4.6",
            ids: ["claude-sonnet-4-6"],
            rates: TokenRates(usdPerMTok: "3", "3.75", "6", "0.30", "15")
        ),
        ModelPrice(
            name: "Claude Sonnet 4.5 / Sonnet 4",
            ids: ["claude-sonnet-4-5", "claude-sonnet-4", "claude-sonnet-4-0"],
            rates: TokenRates(usdPerMTok: "3", "3.75", "6", "0.30", "15"),
            band: PriceBand(
                aboveInputTokens: 200_000,
                rates: TokenRates(usdPerMTok: "6", "7.50", "12", "0.60", "22.50"),
                requiresLongContextBeta: true
            )
        ),
    ]

    static let haikuRows = [
        ModelPrice(
            name: "Claude Haiku 5.5",
            ids: ["claude-haiku-5-5"],
            rates: TokenRates(usdPerMTok: "0.10", "0.125", "0.20", "0.01", "0.50"),
            band: PriceBand(
                aboveInputTokens: 100_000,
                rates: TokenRates(usdPerMTok: "0.50", "0.625", "1.00", "0.05", "2.50")
            )
        ),
        ModelPrice(
            name: "Claude Haiku 4.5",
            ids: ["claude-haiku-4-5"],
            rates: TokenRates(usdPerMTok: "1", "1.25", "2", "0.10", "5")
        ),
        ModelPrice(
            name: "Claude Haiku 3.5",
            ids: ["claude-3-5-haiku", "claude-haiku-3-5"],
            rates: TokenRates(usdPerMTok: "0.80", "1", "1.60", "0.08", "4")
        ),
        ModelPrice(
            name: "Claude Haiku 3",
            ids: ["claude-3-haiku", "claude-haiku-3"],
            rates: TokenRates(usdPerMTok: "0.25", "0.30", "0.50", "0.03", "1.25")
        ),
    ]
}
