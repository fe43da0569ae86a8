import Hummingbird
import NIOCore

/// An Anthropic-shaped error answer (anthropic-wire.md §4.1):
/// `{"type":"error","error":{"type":…,"message":…},"request_id":"req_…"}`.
struct MockError: Error, Sendable, Equatable {
    var status: HTTPResponse.Status
    var type: String
    var message: String
    /// Extra response headers, e.g. `retry-after` on a 429.
    var headers: HTTPFields = [:]

    /// The exact body bytes sent for this error.
    func body(requestID: String) -> ByteBuffer {
        var json = MockJSONWriter(capacity: 128 + self.message.utf8.count)
        json.raw("{\"type\":\"error\",\"error\":{\"type\":")
        json.string(self.type)
        json.raw(",\"message\":")
        json.string(self.message)
        json.raw("},\"request_id\":")
        json.string(requestID)
        json.raw("}")
        return json.buffer
    }

    /// The full response; the standard Anthropic headers are added by ``MockHeadersMiddleware``.
    func response(requestID: String) -> Response {
        self.response(body: self.body(requestID: requestID))
    }

    /// The response carrying an already rendered `body` (so the recorder hashes the same bytes).
    func response(body: ByteBuffer) -> Response {
        var headers = self.headers
        headers[.contentType] = "application/json"
        return Response(status: self.status, headers: headers, body: .init(byteBuffer: body))
    }
}

extension MockError {
    static func invalidRequest(_ message: String) -> MockError {
        MockError(status: .badRequest, type: "invalid_request_error", message: message)
    }

    static func authentication(_ message: String) -> MockError {
        MockError(status: .unauthorized, type: "authentication_error", message: message)
    }

    static func notFound(_ message: String = "Not found") -> MockError {
        MockError(status: .notFound, type: "not_found_error", message: message)
    }

    static let overloaded = MockError(
        status: HTTPResponse.Status(code: 529, reasonPhrase: "Overloaded"),
        type: "overloaded_error",
        message: "Overloaded"
    )

    static let rateLimited = MockError(
        status: .tooManyRequests,
        type: "rate_limit_error",
        message: "This request would exceed the rate limit for your organization of 4,000 requests per minute. "
            + "Please try again later.",
        headers: [MockHeaderName.retryAfter: "7"]
    )

    static let requestTooLarge = MockError(
        status: .contentTooLarge,
        type: "request_too_large",
        message: "Request exceeds the maximum allowed number of bytes."
    )

    static let internalError = MockError(
        status: .internalServerError,
        type: "api_error",
        message: "Internal server error"
    )
}
