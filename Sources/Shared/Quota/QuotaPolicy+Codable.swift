import Foundation

/// Stable JSON, field names fixed here, whatever the Swift names become:
///
/// ```json
/// {"carryOver":{"kind":"capped","amount":100000000},"emergencyCapPerEdge":25000000,"failMode":"open",
///  "limit":500000000,"overspend":"forgive","reserve":{"capPerStudent":100000000,"total":2000000000},
///  "period":{"anchor":"mon 00:00","length":"7d","timeZone":"Australia/Sydney"},
///  "unit":{"kind":"tokens","weights":{"cacheReadMilli":100,…}}}
/// ```
///
/// Every number is an integer below 2⁵³, exact as a Lua double. Decoding validates (``QuotaPolicy/validate()``);
/// a missing `carryOver`, `overspend`, `failMode`, `emergencyCapPerEdge`, `reserve` or `leaks` takes its default, so older
/// records still load.
extension QuotaPolicy: Codable {
    enum CodingKeys: String, CodingKey {
        case limit
        case unit
        case period
        case carryOver
        case overspend
        case failMode
        case emergencyCapPerEdge
        case reserve
        case leaks
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            limit: try container.decode(Int64.self, forKey: .limit),
            unit: try container.decode(QuotaUnit.self, forKey: .unit),
            period: try container.decode(PeriodSpec.self, forKey: .period),
            carryOver: try container.decodeIfPresent(CarryOver.self, forKey: .carryOver) ?? .none,
            overspend: try container.decodeIfPresent(OverspendRule.self, forKey: .overspend) ?? .forgive,
            failMode: try container.decodeIfPresent(FailMode.self, forKey: .failMode) ?? .open,
            emergencyCapPerEdge: try container.decodeIfPresent(Int64.self, forKey: .emergencyCapPerEdge),
            reserve: try container.decodeIfPresent(CourseReserve.self, forKey: .reserve),
            leaks: try container.decodeIfPresent(LeakPolicy.self, forKey: .leaks)
        )
        do {
            try self.validate()
        } catch {
            throw DecodingError.dataCorruptedError(forKey: .limit, in: container, debugDescription: error.description)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.limit, forKey: .limit)
        try container.encode(self.unit, forKey: .unit)
        try container.encode(self.period, forKey: .period)
        try container.encode(self.carryOver, forKey: .carryOver)
        try container.encode(self.overspend, forKey: .overspend)
        try container.encode(self.failMode, forKey: .failMode)
        try container.encode(self.emergencyCapPerEdge, forKey: .emergencyCapPerEdge)
        try container.encodeIfPresent(self.reserve, forKey: .reserve)
        try container.encodeIfPresent(self.leaks, forKey: .leaks)
    }

    /// The JSON with sorted keys: the same policy always gives the same bytes.
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    /// Decodes and validates a stored policy.
    public init(jsonData: Data) throws {
        self = try JSONDecoder().decode(QuotaPolicy.self, from: jsonData)
    }
}
