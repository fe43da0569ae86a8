/// Turning the API's usage into `TokenUsage`: resolving the 5-minute/1-hour cache-write split
/// (`anthropic-wire.md` §3.4).
extension WireUsage {
    struct Resolved {
        var usage: TokenUsage
        var iterations: [IterationUsage]
        var splitEstimated: Bool
    }

    /// The split, in order of preference:
    /// 1. `iterations[]` present → the sum of their splits, if it matches the total (summed without advisor
    ///    iterations first, which the top level does not count, §0.8; then with them);
    /// 2. the split this usage carries (from `message_start`, since deltas carry none), if it matches the
    ///    final `cache_creation_input_tokens`;
    /// 3. that split plus the remainder at the request's TTL (no split at all: everything at that TTL),
    ///    marked estimated.
    func resolved(requestedTTL: CacheTTL) -> Resolved {
        let total = self.cacheCreationInputTokens ?? self.cacheCreationSplit?.total ?? 0
        let iterations = (self.iterations ?? []).map { $0.resolved(requestedTTL: requestedTTL) }
        var split = CacheSplit.fitted(self.cacheCreationSplit, to: total, ttl: requestedTTL)
        var splitEstimated = split.estimated
        if let summed = Self.iterationSplit(iterations, matching: total) {
            split = (summed.split, false)
            splitEstimated = summed.estimated
        }
        let usage = TokenUsage(
            inputTokens: self.inputTokens ?? 0,
            cacheCreation5mTokens: split.split.fiveMinutes,
            cacheCreation1hTokens: split.split.oneHour,
            cacheReadTokens: self.cacheReadInputTokens ?? 0,
            outputTokens: self.outputTokens ?? 0,
            webSearchRequests: self.webSearchRequests ?? 0,
            webFetchRequests: self.webFetchRequests ?? 0
        )
        return Resolved(
            usage: usage,
            iterations: iterations.map(\.iteration),
            splitEstimated: splitEstimated || iterations.contains { $0.estimated }
        )
    }

    private static func iterationSplit(
        _ iterations: [(iteration: IterationUsage, estimated: Bool)],
        matching total: Int64
    ) -> (split: CacheSplit, estimated: Bool)? {
        guard !iterations.isEmpty else { return nil }
        let withoutAdvisor = iterations.filter { $0.iteration.type != "advisor_message" }
        for candidate in [withoutAdvisor, iterations] {
            let split = candidate.reduce(into: CacheSplit()) { sum, entry in
                sum.fiveMinutes += entry.iteration.usage.cacheCreation5mTokens
                sum.oneHour += entry.iteration.usage.cacheCreation1hTokens
            }
            if split.total == total { return (split, candidate.contains { $0.estimated }) }
        }
        return nil
    }
}

extension WireUsage.CacheSplit {
    /// `split` adjusted to sum to `total`: the difference goes to (or, if negative, comes first from) the
    /// requested TTL's bucket. Estimated unless `split` already matched.
    static func fitted(_ split: Self?, to total: Int64, ttl: CacheTTL) -> (split: Self, estimated: Bool) {
        var fitted = split ?? Self()
        let difference = total - fitted.total
        guard difference != 0 else { return (fitted, false) }
        switch ttl {
        case .fiveMinutes: fitted.fiveMinutes += difference
        case .oneHour: fitted.oneHour += difference
        }
        if fitted.fiveMinutes < 0 {
            fitted.oneHour += fitted.fiveMinutes
            fitted.fiveMinutes = 0
        }
        if fitted.oneHour < 0 {
            fitted.fiveMinutes += fitted.oneHour
            fitted.oneHour = 0
        }
        return (fitted, true)
    }
}

extension WireIteration {
    func resolved(requestedTTL: CacheTTL) -> (iteration: IterationUsage, estimated: Bool) {
        let split = WireUsage.CacheSplit.fitted(
            self.cacheCreationSplit,
            to: self.cacheCreationInputTokens,
            ttl: requestedTTL
        )
        let usage = TokenUsage(
            inputTokens: self.inputTokens,
            cacheCreation5mTokens: split.split.fiveMinutes,
            cacheCreation1hTokens: split.split.oneHour,
            cacheReadTokens: self.cacheReadInputTokens,
            outputTokens: self.outputTokens
        )
        return (IterationUsage(type: self.type, model: self.model, usage: usage), split.estimated)
    }
}
