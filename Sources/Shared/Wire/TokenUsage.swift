/// Tokens and server-tool requests one response used, with the cache writes split by TTL.
///
/// Counts are what the API reports (`anthropic-wire.md` §2, §3.4) after Goosey has resolved the
/// 5-minute/1-hour split. The coding keys are Goosey's own, stable for logs and storage.
public struct TokenUsage: Sendable, Equatable, Hashable, Codable {
    /// Uncached input after the last cache breakpoint (`input_tokens`).
    public var inputTokens: Int64
    /// Input written to the 5-minute cache (`cache_creation.ephemeral_5m_input_tokens`).
    public var cacheCreation5mTokens: Int64
    /// Input written to the 1-hour cache (`cache_creation.ephemeral_1h_input_tokens`).
    public var cacheCreation1hTokens: Int64
    /// Input read from the cache (`cache_read_input_tokens`).
    public var cacheReadTokens: Int64
    /// Output, thinking included (`output_tokens`).
    public var outputTokens: Int64
    /// `server_tool_use.web_search_requests`.
    public var webSearchRequests: Int64
    /// `server_tool_use.web_fetch_requests`.
    public var webFetchRequests: Int64

    public init(
        inputTokens: Int64 = 0,
        cacheCreation5mTokens: Int64 = 0,
        cacheCreation1hTokens: Int64 = 0,
        cacheReadTokens: Int64 = 0,
        outputTokens: Int64 = 0,
        webSearchRequests: Int64 = 0,
        webFetchRequests: Int64 = 0
    ) {
        self.inputTokens = inputTokens
        self.cacheCreation5mTokens = cacheCreation5mTokens
        self.cacheCreation1hTokens = cacheCreation1hTokens
        self.cacheReadTokens = cacheReadTokens
        self.outputTokens = outputTokens
        self.webSearchRequests = webSearchRequests
        self.webFetchRequests = webFetchRequests
    }

    public static let zero = TokenUsage()

    /// All cache writes (`cache_creation_input_tokens`).
    public var cacheCreationTokens: Int64 { self.cacheCreation5mTokens + self.cacheCreation1hTokens }

    /// Input + cache writes + cache reads: the prompt length price bands look at (§0.7).
    public var totalInputTokens: Int64 { self.inputTokens + self.cacheCreationTokens + self.cacheReadTokens }

    /// Field-wise sum, for adding up `iterations[]` or several responses.
    public static func + (lhs: TokenUsage, rhs: TokenUsage) -> TokenUsage {
        TokenUsage(
            inputTokens: lhs.inputTokens + rhs.inputTokens,
            cacheCreation5mTokens: lhs.cacheCreation5mTokens + rhs.cacheCreation5mTokens,
            cacheCreation1hTokens: lhs.cacheCreation1hTokens + rhs.cacheCreation1hTokens,
            cacheReadTokens: lhs.cacheReadTokens + rhs.cacheReadTokens,
            outputTokens: lhs.outputTokens + rhs.outputTokens,
            webSearchRequests: lhs.webSearchRequests + rhs.webSearchRequests,
            webFetchRequests: lhs.webFetchRequests + rhs.webFetchRequests
        )
    }

    public static func += (lhs: inout TokenUsage, rhs: TokenUsage) {
        lhs = lhs + rhs
    }
}

extension TokenUsage {
    enum CodingKeys: String, CodingKey {
        case inputTokens = "input"
        case cacheCreation5mTokens = "cache_write_5m"
        case cacheCreation1hTokens = "cache_write_1h"
        case cacheReadTokens = "cache_read"
        case outputTokens = "output"
        case webSearchRequests = "web_search_requests"
        case webFetchRequests = "web_fetch_requests"
    }

    /// Missing keys decode as zero, so rows written before a field existed still load.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            inputTokens: try container.decodeIfPresent(Int64.self, forKey: .inputTokens) ?? 0,
            cacheCreation5mTokens: try container.decodeIfPresent(Int64.self, forKey: .cacheCreation5mTokens) ?? 0,
            cacheCreation1hTokens: try container.decodeIfPresent(Int64.self, forKey: .cacheCreation1hTokens) ?? 0,
            cacheReadTokens: try container.decodeIfPresent(Int64.self, forKey: .cacheReadTokens) ?? 0,
            outputTokens: try container.decodeIfPresent(Int64.self, forKey: .outputTokens) ?? 0,
            webSearchRequests: try container.decodeIfPresent(Int64.self, forKey: .webSearchRequests) ?? 0,
            webFetchRequests: try container.decodeIfPresent(Int64.self, forKey: .webFetchRequests) ?? 0
        )
    }
}
