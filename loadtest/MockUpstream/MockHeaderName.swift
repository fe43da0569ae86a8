import HTTPTypes
import Hummingbird

/// Header names the mock reads or writes.
///
/// A namespace rather than an `HTTPField.Name` extension, so that test targets importing both the
/// edge and the mock see no ambiguous members.
enum MockHeaderName {
    static let requestID = HTTPField.Name("request-id")!
    static let organizationID = HTTPField.Name("anthropic-organization-id")!
    static let retryAfter = HTTPField.Name("retry-after")!
    static let apiKey = HTTPField.Name("x-api-key")!
    static let anthropicVersion = HTTPField.Name("anthropic-version")!
    static let scenario = HTTPField.Name("x-mock-scenario")!
    static let deltas = HTTPField.Name("x-mock-deltas")!
    static let delayMs = HTTPField.Name("x-mock-delay-ms")!
    static let serverTool = HTTPField.Name("x-mock-server-tool")!
    static let robotsTag = HTTPField.Name("x-robots-tag")!
}
