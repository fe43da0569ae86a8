/// What an unspent allowance does at the end of a period.
///
/// JSON: `{"kind":"none"}`, `{"kind":"all"}`, `{"kind":"capped","amount":N}` (in the policy's unit) or
/// `{"kind":"cappedPercent","percent":P}` (P % of the closed period's allocation, 0–100).
public enum CarryOver: Sendable, Hashable, Codable {
    /// Nothing carries: every period starts at its allocation.
    case none
    /// Everything carries (up to ``QuotaAmount/maximum``).
    case all
    /// At most this amount carries.
    case capped(Int64)
    /// At most this percentage of the closed period's allocation carries.
    case cappedPercent(Int)

    enum CodingKeys: String, CodingKey {
        case kind
        case amount
        case percent
    }

    enum Kind: String, Codable {
        case none
        case all
        case capped
        case cappedPercent
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        switch try container.decode(Kind.self, forKey: .kind) {
        case .none: self = .none
        case .all: self = .all
        case .capped: self = .capped(try container.decode(Int64.self, forKey: .amount))
        case .cappedPercent: self = .cappedPercent(try container.decode(Int.self, forKey: .percent))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .none: try container.encode(Kind.none, forKey: .kind)
        case .all: try container.encode(Kind.all, forKey: .kind)
        case .capped(let amount):
            try container.encode(Kind.capped, forKey: .kind)
            try container.encode(amount, forKey: .amount)
        case .cappedPercent(let percent):
            try container.encode(Kind.cappedPercent, forKey: .kind)
            try container.encode(percent, forKey: .percent)
        }
    }
}

/// What spending past the allowance (requests already in flight when it ran out) does to the next period.
/// JSON: `"forgive"` or `"deductFromNext"`.
public enum OverspendRule: String, Sendable, Hashable, Codable {
    /// The next period starts clean.
    case forgive
    /// The overspend is taken off the next period (and the ones after, while it lasts).
    case deductFromNext
}

/// What an edge does for a course while Redis is unreachable. JSON: `"open"` or `"closed"`.
public enum FailMode: String, Sendable, Hashable, Codable {
    /// Keep serving, up to the policy's emergency cap per student per edge.
    case open
    /// Refuse with 503.
    case closed
}
