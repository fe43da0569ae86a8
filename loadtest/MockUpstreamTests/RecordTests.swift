import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@testable import MockUpstream

@Suite struct RecordTests {
    @Test(arguments: [MockScenario.text, .thinking, .toolUse, .errorMidstream, .noFinalUsage])
    func recordHashesExactlyTheStreamTheClientReceived(scenario: MockScenario) async throws {
        let body = MockTest.body("Hello [mock:\(scenario.rawValue)]")
        try await MockTest.app().test(.live) { client in
            let response = try await client.execute(
                uri: "/v1/messages?beta=true",
                method: .post,
                headers: MockTest.headers(),
                body: body
            )
            let record = try await MockTest.record(try #require(response.requestID), client: client)
            #expect(record.responseSHA256 == MockSHA256.hex(response.body))
            #expect(record.responseBytes == response.body.readableBytes)
            #expect(record.requestBodySHA256 == MockSHA256.hex(body))
            #expect(record.scenario == scenario.rawValue)
            #expect(record.stream)
            #expect(record.status == 200)
            #expect(record.model == "claude-sonnet-4-6")
            #expect(record.complete == [.text, .thinking, .toolUse].contains(scenario))
            #expect(!record.clientDisconnected)
        }
    }

    @Test func recordUsageMatchesTheStreamedFinalUsage() async throws {
        try await MockTest.app().test(.router) { client in
            let response = try await client.execute(
                uri: "/v1/messages",
                method: .post,
                headers: MockTest.headers(),
                body: MockTest.body("[mock:thinking]")
            )
            let events = try SSETestParser.parse(response.body)
            let final = try #require(events.first { $0.name == "message_delta" }).usage
            let record = try await MockTest.record(try #require(response.requestID), client: client)
            #expect(record.usage.outputTokens == final["output_tokens"] as? Int)
            #expect(record.usage.inputTokens == final["input_tokens"] as? Int)
            #expect(record.usage.cacheCreation.ephemeral5mInputTokens == 0)
        }
    }

    @Test func recordKeepsLowercasedRequestHeaders() async throws {
        try await MockTest.app().test(.router) { client in
            let headers = MockTest.headers(["Accept-Encoding": "identity", "X-Claude-Code-Session-Id": "s-1"])
            let response = try await client.execute(
                uri: "/v1/messages",
                method: .post,
                headers: headers,
                body: MockTest.body()
            )
            let record = try await MockTest.record(try #require(response.requestID), client: client)
            #expect(record.requestHeaders["accept-encoding"] == "identity")
            #expect(record.requestHeaders["x-claude-code-session-id"] == "s-1")
            #expect(record.requestHeaders["x-api-key"] == MockTest.apiKey)
        }
    }

    @Test func rejectedRequestIsRecordedWithItsErrorBody() async throws {
        try await MockTest.app().test(.router) { client in
            var headers = MockTest.headers()
            headers[HTTPField.Name("x-api-key")!] = "sk-ant-api03-client-credential"
            let response = try await client.execute(
                uri: "/v1/messages",
                method: .post,
                headers: headers,
                body: MockTest.body()
            )
            #expect(response.status == .unauthorized)
            let record = try await MockTest.record(try #require(response.requestID), client: client)
            #expect(record.scenario == "rejected")
            #expect(record.status == 401)
            #expect(record.usage == .zero)
            #expect(record.responseSHA256 == MockSHA256.hex(response.body))
            #expect(record.requestHeaders["x-api-key"] == "sk-ant-api03-client-credential")
        }
    }

    @Test func rateLimitedRecordHasStatusAndNoUsage() async throws {
        try await MockTest.app().test(.router) { client in
            let response = try await client.execute(
                uri: "/v1/messages",
                method: .post,
                headers: MockTest.headers(),
                body: MockTest.body("[mock:rate_limited]")
            )
            let record = try await MockTest.record(try #require(response.requestID), client: client)
            #expect(record.status == 429)
            #expect(record.usage.outputTokens == 0)
            #expect(record.responseSHA256 == MockSHA256.hex(response.body))
        }
    }

    @Test func unknownRecordIsNotFoundEnvelope() async throws {
        try await MockTest.app().test(.router) { client in
            let response = try await client.execute(uri: "/mock/requests/req_nope", method: .get)
            #expect(response.status == .notFound)
            let error = try MockTest.object(response.body)["error"] as? [String: String]
            #expect(error?["type"] == "not_found_error")
        }
    }

    @Test func ringEvictsTheOldestRecord() {
        let recorder = MockRecorder(capacity: 2)
        for id in ["a", "b", "c"] {
            recorder.store(Self.record(id))
        }
        #expect(recorder.record(id: "a") == nil)
        #expect(recorder.record(id: "b")?.requestID == "b")
        #expect(recorder.record(id: "c")?.requestID == "c")
        #expect(recorder.count == 2)
        #expect(recorder.all.map(\.requestID) == ["b", "c"], "listed oldest first")
    }

    @Test func theListingHoldsEveryRecordKept() async throws {
        try await MockTest.app().test(.router) { client in
            var ids: [String] = []
            for _ in 0..<3 {
                let response = try await client.execute(uri: "/v1/messages", method: .post, headers: MockTest.headers(), body: MockTest.body())
                ids.append(try #require(response.requestID))
            }
            let listing = try await client.execute(uri: "/mock/requests", method: .get)
            let records = try JSONDecoder().decode([MockRecord].self, from: Data(listing.body.readableBytesView))
            #expect(records.map(\.requestID) == ids)
        }
    }

    @Test func storingTheSameIDReplacesInPlace() {
        let recorder = MockRecorder(capacity: 2)
        recorder.store(Self.record("a"))
        var updated = Self.record("a")
        updated.complete = true
        recorder.store(updated)
        recorder.store(Self.record("b"))
        #expect(recorder.record(id: "a")?.complete == true)
        #expect(recorder.count == 2)
    }

    static func record(_ id: String) -> MockRecord {
        MockRecord(
            requestID: id,
            path: "/v1/messages",
            model: "m",
            stream: true,
            scenario: "text",
            status: 200,
            usage: .zero,
            complete: false,
            clientDisconnected: false,
            responseBytes: 0,
            responseSHA256: "",
            requestBodySHA256: "",
            requestHeaders: [:]
        )
    }
}
