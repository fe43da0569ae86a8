/// What one response used, as read off its bytes by `UsageMeter`.
public struct UsageReport: Sendable, Equatable, Hashable, Codable {
    /// The response's `model` (authoritative; the request may have named an alias).
    public var model: String?
    /// The response's `id` (`msg_…`).
    public var messageID: String?
    /// Top-level usage with the cache-write split resolved.
    public var usage: TokenUsage
    /// `usage.iterations[]` when the response had them; empty otherwise. Price from these when present (§0.8).
    public var iterations: [IterationUsage]
    public var stopReason: String?
    /// `error.type` of an `event: error` or of an error body (`overloaded_error`, …).
    public var errorType: String?
    /// `usage.service_tier`: `standard`, `priority` or `batch`.
    public var serviceTier: String?
    /// `usage.inference_geo`: `global`, `us`, `not_available`, …
    public var inferenceGeo: String?
    /// The response ended properly: `message_stop`, or a whole JSON message.
    public var complete: Bool
    /// Output tokens are the floor estimate (§3.4), not read: the final usage frame never arrived.
    public var estimated: Bool
    /// Some of the 5m/1h cache-write split was assigned from the request's TTL, not read.
    public var splitEstimated: Bool

    public init(
        model: String? = nil,
        messageID: String? = nil,
        usage: TokenUsage = TokenUsage(),
        iterations: [IterationUsage] = [],
        stopReason: String? = nil,
        errorType: String? = nil,
        serviceTier: String? = nil,
        inferenceGeo: String? = nil,
        complete: Bool = false,
        estimated: Bool = false,
        splitEstimated: Bool = false
    ) {
        self.model = model
        self.messageID = messageID
        self.usage = usage
        self.iterations = iterations
        self.stopReason = stopReason
        self.errorType = errorType
        self.serviceTier = serviceTier
        self.inferenceGeo = inferenceGeo
        self.complete = complete
        self.estimated = estimated
        self.splitEstimated = splitEstimated
    }

    /// The usage to bill: the sum of `iterations` when present, the top-level usage otherwise.
    /// Server-tool request counts always come from the top level (iterations carry none).
    public var billableUsage: TokenUsage {
        guard !self.iterations.isEmpty else { return self.usage }
        var sum = self.iterations.reduce(TokenUsage()) { $0 + $1.usage }
        sum.webSearchRequests = self.usage.webSearchRequests
        sum.webFetchRequests = self.usage.webFetchRequests
        return sum
    }
}

/// One entry of `usage.iterations[]`: a sampling step of a server-tool loop, an advisor call,
/// a compaction or a fallback (`anthropic-wire.md` §7.1).
public struct IterationUsage: Sendable, Equatable, Hashable, Codable {
    /// `message`, `advisor_message`, `compaction`, `fallback_message`, …
    public var type: String
    /// The iteration's own model, when it names one (advisor and fallback iterations do).
    public var model: String?
    public var usage: TokenUsage

    public init(type: String, model: String? = nil, usage: TokenUsage) {
        self.type = type
        self.model = model
        self.usage = usage
    }
}
