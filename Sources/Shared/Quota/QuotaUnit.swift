/// What a course's allowance counts: weighted tokens (amounts in milli-tokens) or US dollars (amounts in
/// pico-dollars, priced by model from the pricing table).
///
/// JSON: `{"kind":"tokens","weights":{…TokenWeights…}}` or `{"kind":"usd"}`.
public enum QuotaUnit: Sendable, Hashable, Codable {
    case tokens(TokenWeights)
    case usd

    /// Tokens at the standard weights (input 1, 5 m write 1.25, 1 h write 2, read 0.1, output 5).
    public static let standardTokens = QuotaUnit.tokens(.standard)

    public var kind: QuotaAmount.Kind {
        switch self {
        case .tokens: .tokens
        case .usd: .usd
        }
    }

    enum CodingKeys: String, CodingKey {
        case kind
        case weights
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        switch try container.decode(QuotaAmount.Kind.self, forKey: .kind) {
        case .usd: self = .usd
        case .tokens: self = .tokens(try container.decodeIfPresent(TokenWeights.self, forKey: .weights) ?? .standard)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.kind, forKey: .kind)
        if case .tokens(let weights) = self { try container.encode(weights, forKey: .weights) }
    }
}
