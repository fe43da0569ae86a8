import Foundation

/// JSON: the three settings as staff write them, canonicalised:
/// `{"length":"7d","anchor":"mon 00:00","timeZone":"Australia/Sydney"}`. Decoding validates like parsing does.
extension PeriodSpec: Codable {
    enum CodingKeys: String, CodingKey {
        case length
        case anchor
        case timeZone
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let length = try container.decode(String.self, forKey: .length)
        let anchor = try container.decodeIfPresent(String.self, forKey: .anchor)
        let timeZone = try container.decodeIfPresent(String.self, forKey: .timeZone)
        do {
            try self.init(period: length, anchor: anchor, timeZone: timeZone)
        } catch {
            throw DecodingError.dataCorruptedError(forKey: .length, in: container, debugDescription: error.description)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.length.description, forKey: .length)
        try container.encode(self.anchor.description, forKey: .anchor)
        try container.encode(self.timeZoneIdentifier, forKey: .timeZone)
    }
}
