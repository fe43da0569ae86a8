import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@testable import MockUpstream

@Suite struct ErrorResponseTests {
    func send(
        _ uri: String = "/v1/messages",
        method: HTTPRequest.Method = .post,
        headers: HTTPFields = MockTest.headers(),
        body: ByteBuffer? = MockTest.body()
    ) async throws -> TestResponse {
        try await MockTest.app().test(.router) { client in
            try await client.execute(uri: uri, method: method, headers: headers, body: body)
        }
    }

    /// Asserts the §4.1 envelope and that `request_id` mirrors the `request-id` header.
    func expectEnvelope(_ response: TestResponse, type: String, message: String? = nil) throws {
        #expect(response.headers[.contentType] == "application/json")
        let object = try MockTest.object(response.body)
        #expect(object.keys.sorted() == ["error", "request_id", "type"])
        #expect(object["type"] as? String == "error")
        let error = try #require(object["error"] as? [String: String])
        #expect(error["type"] == type)
        if let message { #expect(error["message"] == message) }
        let requestID = try #require(response.requestID)
        #expect(requestID.hasPrefix("req_011") && requestID.count == 28)
        #expect(object["request_id"] as? String == requestID)
    }

    @Test func missingCredentialIsAuthenticationError401() async throws {
        var headers = MockTest.headers()
        headers[HTTPField.Name("x-api-key")!] = nil
        let response = try await self.send(headers: headers)
        #expect(response.status == .unauthorized)
        try self.expectEnvelope(response, type: "authentication_error", message: "x-api-key header is required")
    }

    @Test(arguments: [
        ("x-api-key", "sk-ant-api03-wrong"),
        ("authorization", "Bearer sk-ant-api03-wrong"),
        ("authorization", MockTest.apiKey),
    ])
    func wrongCredentialIsAuthenticationError401(name: String, value: String) async throws {
        var headers = MockTest.headers()
        headers[HTTPField.Name("x-api-key")!] = nil
        headers[HTTPField.Name(name)!] = value
        let response = try await self.send(headers: headers)
        #expect(response.status == .unauthorized)
        try self.expectEnvelope(response, type: "authentication_error")
    }

    @Test func bearerTokenAloneIsAccepted() async throws {
        var headers = MockTest.headers()
        headers[HTTPField.Name("x-api-key")!] = nil
        headers[.authorization] = "Bearer \(MockTest.apiKey)"
        #expect(try await self.send(headers: headers).status == .ok)
    }

    @Test func missingAnthropicVersionIs400() async throws {
        var headers = MockTest.headers()
        headers[HTTPField.Name("anthropic-version")!] = nil
        let response = try await self.send(headers: headers)
        #expect(response.status == .badRequest)
        try self.expectEnvelope(
            response,
            type: "invalid_request_error",
            message: "anthropic-version: header is required"
        )
    }

    @Test(arguments: [
        ("not json", "There was an error parsing the body: the request body is not valid JSON"),
        ("[1,2]", "Request body must be a JSON object"),
        ("{\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", "model: Field required"),
        ("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", "max_tokens: Field required"),
        ("{\"model\":\"m\",\"max_tokens\":1}", "messages: Field required"),
        ("{\"model\":\"m\",\"max_tokens\":1,\"messages\":[]}", "messages: at least one message is required"),
        ("{\"model\":7,\"max_tokens\":1,\"messages\":[]}", "model: Input should be a valid string"),
    ])
    func invalidBodyIsInvalidRequestError400(body: String, message: String) async throws {
        let response = try await self.send(body: ByteBuffer(string: body))
        #expect(response.status == .badRequest)
        try self.expectEnvelope(response, type: "invalid_request_error", message: message)
    }

    @Test func unknownScenarioIs400() async throws {
        let response = try await self.send(headers: MockTest.headers(["x-mock-scenario": "nope"]))
        #expect(response.status == .badRequest)
        try self.expectEnvelope(response, type: "invalid_request_error")
    }

    @Test(arguments: [
        ("/v1/nothing", HTTPRequest.Method.get), ("/", .get), ("/v1/messages", .get), ("/v1/complete", .post),
    ])
    func unknownRouteIsNotFoundEnvelope(uri: String, method: HTTPRequest.Method) async throws {
        let response = try await self.send(uri, method: method, headers: [:], body: nil)
        #expect(response.status == .notFound)
        try self.expectEnvelope(response, type: "not_found_error")
    }

    @Test func headOfUnknownRouteHasNoBody() async throws {
        let response = try await self.send("/nothing", method: .head, headers: [:], body: nil)
        #expect(response.status == .notFound)
        #expect(response.body.readableBytes == 0)
        #expect(response.requestID != nil)
    }

    @Test(arguments: [true, false])
    func overloadedScenarioIs529Envelope(stream: Bool) async throws {
        let response = try await self.send(body: MockTest.body("x [mock:overloaded]", stream: stream))
        #expect(response.status.code == 529)
        try self.expectEnvelope(response, type: "overloaded_error", message: "Overloaded")
    }

    @Test func rateLimitedScenarioIs429WithRetryAfter() async throws {
        let response = try await self.send(headers: MockTest.headers(["x-mock-scenario": "rate_limited"]))
        #expect(response.status == .tooManyRequests)
        #expect(response.headers[HTTPField.Name("retry-after")!] == "7")
        try self.expectEnvelope(response, type: "rate_limit_error")
    }

    @Test func errorResponsesCarryRateLimitAndOrganizationHeaders() async throws {
        let response = try await self.send(headers: MockTest.headers(["x-mock-scenario": "rate_limited"]))
        for family in ["requests", "tokens"] {
            for part in ["limit", "remaining", "reset"] {
                #expect(response.headers[HTTPField.Name("anthropic-ratelimit-\(family)-\(part)")!] != nil)
            }
        }
        #expect(response.headers[HTTPField.Name("anthropic-organization-id")!] != nil)
    }

    @Test func nonStreamErrorMidstreamIsA529() async throws {
        let response = try await self.send(body: MockTest.body("[mock:error_midstream]", stream: false))
        #expect(response.status.code == 529)
    }
}
