/// Prices as data (`anthropic-wire.md` §7): model rows, the fallback for ids it cannot place, and the
/// multipliers that do not depend on the model.
public struct PricingTable: Sendable, Equatable {
    public private(set) var models: [ModelPrice]
    /// Prices any id no row claims, so an unknown model is never free (§7.1: $5 / $25).
    public var fallback: ModelPrice
    /// Per `server_tool_use.web_search_requests`: $10 per 1,000 searches.
    public var webSearchPerRequest: PicoDollars
    /// Applied to token rates when `usage.service_tier` is `batch` (50 % off).
    public var batchPercent: Int64
    private var rowByID: [String: Int]
    /// The ids normalizing leaves as they are: a request that names one (most do) needs no normalizing.
    private var rowByExactID: [String: Int]

    public init(models: [ModelPrice], fallback: ModelPrice, webSearchPerRequest: PicoDollars, batchPercent: Int64 = 50)
    {
        self.models = models
        self.fallback = fallback
        self.webSearchPerRequest = webSearchPerRequest
        self.batchPercent = batchPercent
        self.rowByID = Self.index(models)
        self.rowByExactID = self.rowByID.filter { Self.normalizedModelID($0.key) == $0.key }
    }

    private static func index(_ models: [ModelPrice]) -> [String: Int] {
        var rowByID: [String: Int] = [:]
        for (row, model) in models.enumerated() {
            for id in model.ids { rowByID[PricingTable.normalizedModelID(id), default: row] = row }
        }
        return rowByID
    }

    /// The row for `model`, or nil when no row claims it (after normalizing the id).
    public func knownPrice(for model: String) -> ModelPrice? {
        if let row = self.rowByExactID[model] { return self.models[row] }
        return self.rowByID[Self.normalizedModelID(model)].map { self.models[$0] }
    }

    /// The row for `model`, or `fallback`.
    public func price(for model: String?) -> ModelPrice {
        model.flatMap { self.knownPrice(for: $0) } ?? self.fallback
    }
}

// MARK: - Cost

extension PricingTable {
    /// What a response cost, in pico-dollars.
    ///
    /// With `iterations[]`, each iteration is priced on its own (its own band, at its own `model` or else the
    /// response's), as §0.8 requires; otherwise the top-level usage is. Web searches are added once, from the
    /// top level. `inference_geo` and a `batch` service tier scale the token rates.
    /// - Parameters:
    ///   - requestModel: the model the request named, used when the response named none.
    ///   - longContextBeta: the request carried the `context-1m-2025-08-07` beta (Sonnet 4.5/4 > 200K band).
    public func cost(of report: UsageReport, requestModel: String? = nil, longContextBeta: Bool = false) -> PicoDollars
    {
        let model = report.model ?? requestModel
        let searches = Saturating.multiply(report.usage.webSearchRequests, self.webSearchPerRequest)
        guard !report.iterations.isEmpty else {
            let tokens = self.tokenCost(report.usage, model: model, report: report, longContextBeta: longContextBeta)
            return Saturating.add(tokens, searches)
        }
        return report.iterations.reduce(searches) { sum, iteration in
            let cost = self.tokenCost(
                iteration.usage,
                model: iteration.model ?? model,
                report: report,
                longContextBeta: longContextBeta
            )
            return Saturating.add(sum, cost)
        }
    }

    /// The token part of a price for one sampling call: no web searches.
    public func tokenCost(
        _ usage: TokenUsage,
        model: String?,
        inferenceGeo: String? = nil,
        serviceTier: String? = nil,
        longContextBeta: Bool = false
    ) -> PicoDollars {
        self.rates(
            for: model,
            totalInputTokens: usage.totalInputTokens,
            inferenceGeo: inferenceGeo,
            serviceTier: serviceTier,
            longContextBeta: longContextBeta
        ).cost(of: usage)
    }

    /// The rates one call pays after the band, the `inference_geo` multiplier and the batch discount.
    public func rates(
        for model: String?,
        totalInputTokens: Int64,
        inferenceGeo: String? = nil,
        serviceTier: String? = nil,
        longContextBeta: Bool = false
    ) -> TokenRates {
        let price = self.price(for: model)
        var rates = price.rates(totalInputTokens: totalInputTokens, longContextBeta: longContextBeta)
        if let geo = inferenceGeo, let percent = price.inferenceGeoPercent[geo] {
            rates = rates.scaled(percent: percent)
        }
        if serviceTier == "batch" { rates = rates.scaled(percent: self.batchPercent) }
        return rates
    }

    private func tokenCost(
        _ usage: TokenUsage,
        model: String?,
        report: UsageReport,
        longContextBeta: Bool
    ) -> PicoDollars {
        self.tokenCost(
            usage,
            model: model,
            inferenceGeo: report.inferenceGeo,
            serviceTier: report.serviceTier,
            longContextBeta: longContextBeta
        )
    }
}

// MARK: - Codable

extension PricingTable: Codable {
    enum CodingKeys: String, CodingKey {
        case models
        case fallback
        case webSearchPerRequest = "web_search_per_request"
        case batchPercent = "batch_percent"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            models: try container.decode([ModelPrice].self, forKey: .models),
            fallback: try container.decode(ModelPrice.self, forKey: .fallback),
            webSearchPerRequest: try container.decode(PicoDollars.self, forKey: .webSearchPerRequest),
            batchPercent: try container.decodeIfPresent(Int64.self, forKey: .batchPercent) ?? 50
        )
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.models, forKey: .models)
        try container.encode(self.fallback, forKey: .fallback)
        try container.encode(self.webSearchPerRequest, forKey: .webSearchPerRequest)
        try container.encode(self.batchPercent, forKey: .batchPercent)
    }
}
