import Hummingbird

/// What the mock saw and sent for one request, served by `GET /mock/requests/{requestID}`.
///
/// Gateway tests compare it with what their client received: `responseSHA256` is the SHA-256 of
/// exactly the body bytes the mock wrote, `requestBodySHA256` of the body it received.
public struct MockRecord: Codable, Sendable, Equatable {
    public var requestID: String
    /// Request path, e.g. `/v1/messages` or `/v1/messages/count_tokens`.
    public var path: String
    /// The request's `model` ("" when the body had none).
    public var model: String
    public var stream: Bool
    /// Scenario name; `rejected` when the request failed authentication or validation,
    /// `count_tokens` for token counting.
    public var scenario: String
    public var status: Int
    public var usage: MockUsage
    /// False for error_midstream, no_final_usage and when the client left before the end.
    public var complete: Bool
    /// True when a write failed because the client went away mid-response.
    public var clientDisconnected: Bool
    public var responseBytes: Int
    public var responseSHA256: String
    public var requestBodySHA256: String
    /// Request headers by lowercased name; repeated headers joined with ", ".
    public var requestHeaders: [String: String]
    /// The client's port: requests that share one are on one kept-alive connection.
    public var clientPort: Int?
}

extension MockRecord {
    /// Lowercased header map as recorded.
    static func headerMap(_ fields: HTTPFields) -> [String: String] {
        var map: [String: String] = [:]
        map.reserveCapacity(fields.count)
        for field in fields {
            let name = field.name.canonicalName
            if let existing = map[name] {
                map[name] = existing + ", " + field.value
            } else {
                map[name] = field.value
            }
        }
        return map
    }
}
