/// Weights that turn a mix of token kinds into one number for quotas, in thousandths (1000 = 1×).
///
/// Integer thousandths keep the sum exact and deterministic: 0.1 × a read is exactly 100 milli-tokens.
public struct TokenWeights: Sendable, Equatable, Hashable, Codable {
    public var inputMilli: Int64
    public var cacheWrite5mMilli: Int64
    public var cacheWrite1hMilli: Int64
    public var cacheReadMilli: Int64
    public var outputMilli: Int64

    public init(
        inputMilli: Int64,
        cacheWrite5mMilli: Int64,
        cacheWrite1hMilli: Int64,
        cacheReadMilli: Int64,
        outputMilli: Int64
    ) {
        self.inputMilli = inputMilli
        self.cacheWrite5mMilli = cacheWrite5mMilli
        self.cacheWrite1hMilli = cacheWrite1hMilli
        self.cacheReadMilli = cacheReadMilli
        self.outputMilli = outputMilli
    }

    /// Input 1, 5m write 1.25, 1h write 2, read 0.1, output 5: the ratios of the standard price list.
    public static let standard = TokenWeights(
        inputMilli: 1000,
        cacheWrite5mMilli: 1250,
        cacheWrite1hMilli: 2000,
        cacheReadMilli: 100,
        outputMilli: 5000
    )
}

/// Usage weighted into one quantity, kept exactly in milli-tokens.
///
/// `tokens` rounds **up** (ceiling), so a fraction of a token is charged as a whole one and never dropped;
/// sum `WeightedTokens` (exact) before rounding, not rounded tokens.
public struct WeightedTokens: Sendable, Equatable, Hashable, Comparable, Codable {
    public var milliTokens: Int64

    public init(milliTokens: Int64) {
        self.milliTokens = milliTokens
    }

    /// Server-tool requests are not tokens and weigh nothing here; they are priced in money only.
    public init(_ usage: TokenUsage, weights: TokenWeights = .standard) {
        var milli = Saturating.multiply(usage.inputTokens, weights.inputMilli)
        milli = Saturating.add(milli, Saturating.multiply(usage.cacheCreation5mTokens, weights.cacheWrite5mMilli))
        milli = Saturating.add(milli, Saturating.multiply(usage.cacheCreation1hTokens, weights.cacheWrite1hMilli))
        milli = Saturating.add(milli, Saturating.multiply(usage.cacheReadTokens, weights.cacheReadMilli))
        self.milliTokens = Saturating.add(milli, Saturating.multiply(usage.outputTokens, weights.outputMilli))
    }

    /// A report's billable usage: its iterations when it has them (§0.8), else its top-level usage.
    public init(_ report: UsageReport, weights: TokenWeights = .standard) {
        self.init(report.billableUsage, weights: weights)
    }

    /// Whole weighted tokens, rounded up (negative values round toward zero).
    public var tokens: Int64 {
        guard self.milliTokens > 0 else { return self.milliTokens / 1000 }
        return self.milliTokens / 1000 + (self.milliTokens % 1000 == 0 ? 0 : 1)
    }

    public static func + (lhs: WeightedTokens, rhs: WeightedTokens) -> WeightedTokens {
        WeightedTokens(milliTokens: Saturating.add(lhs.milliTokens, rhs.milliTokens))
    }

    public static func < (lhs: WeightedTokens, rhs: WeightedTokens) -> Bool {
        lhs.milliTokens < rhs.milliTokens
    }
}
