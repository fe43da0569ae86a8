import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@testable import MockUpstream

@Suite struct StreamScenarioTests {
    /// Streams `text` (a prompt, possibly with a marker) and returns response + parsed events.
    func stream(
        _ text: String,
        headers: [String: String] = [:],
        setup: TestingSetup = .router
    ) async throws -> (
        TestResponse, [ParsedEvent]
    ) {
        try await MockTest.app().test(setup) { client in
            let response = try await client.execute(
                uri: "/v1/messages?beta=true",
                method: .post,
                headers: MockTest.headers(headers),
                body: MockTest.body(text)
            )
            return (response, try SSETestParser.parse(response.body))
        }
    }

    @Test func textStreamHasTheRealEventSequence() async throws {
        let (response, events) = try await self.stream("Hello")
        #expect(response.status == .ok)
        #expect(response.headers[.contentType] == "text/event-stream; charset=utf-8")
        #expect(response.headers[.cacheControl] == "no-cache")
        let expected =
            ["message_start", "content_block_start", "ping"] + Array(repeating: "content_block_delta", count: 8)
            + ["content_block_stop", "message_delta", "message_stop"]
        #expect(events.map(\.name) == expected)
        #expect(SSETestParser.grammarViolation(events, complete: true) == nil)
        #expect(events[2].rawData == "{\"type\": \"ping\"}")
        #expect(SSETestParser.text(events) == "Hello from the \"Goosey\" mock upstream.\nThis")
        let message = try #require(events[0].data["message"] as? [String: Any])
        #expect(message["model"] as? String == "claude-sonnet-4-6")
        #expect((message["id"] as? String)?.hasPrefix("msg_") == true)
        #expect(events.last(where: { $0.name == "message_delta" })?.delta["stop_reason"] as? String == "end_turn")
    }

    @Test func messageStartCarriesInputSideAndDeltaRepeatsItCumulatively() async throws {
        let (_, events) = try await self.stream("Hello")
        let body = MockTest.body("Hello")
        let total = body.readableBytes / 4
        let start = try #require((events[0].data["message"] as? [String: Any])?["usage"] as? [String: Any])
        #expect(start["input_tokens"] as? Int == total)
        #expect(start["cache_creation_input_tokens"] as? Int == 0)
        #expect(start["cache_read_input_tokens"] as? Int == 0)
        #expect(start["output_tokens"] as? Int == 1)
        #expect(start["service_tier"] as? String == "standard")
        #expect(start["inference_geo"] as? String == "not_available")
        #expect(
            start["cache_creation"] as? [String: Int] == [
                "ephemeral_5m_input_tokens": 0, "ephemeral_1h_input_tokens": 0,
            ]
        )
        let final = try #require(events.first { $0.name == "message_delta" }).usage
        #expect(final["input_tokens"] as? Int == total)
        #expect(final["cache_creation_input_tokens"] as? Int == 0)
        #expect(final["cache_read_input_tokens"] as? Int == 0)
        #expect(final["output_tokens"] as? Int == 8)
        #expect(final["cache_creation"] == nil, "message_delta has no cache_creation split (§3.4)")
    }

    @Test func deltasHeaderChangesTheNumberOfTextDeltasAndOutputTokens() async throws {
        let (_, events) = try await self.stream("Hello", headers: ["x-mock-deltas": "3"])
        #expect(events.filter { $0.name == "content_block_delta" }.count == 3)
        #expect(events.first { $0.name == "message_delta" }?.usage["output_tokens"] as? Int == 3)
    }

    @Test func thinkingStreamSendsSignatureBeforeClosingThenText() async throws {
        let (_, events) = try await self.stream("Think please [mock:thinking]")
        #expect(SSETestParser.grammarViolation(events, complete: true) == nil)
        let thinkingStart = try #require(events.first { $0.name == "content_block_start" })
        #expect(
            thinkingStart.data["content_block"] as? [String: String] == [
                "type": "thinking", "thinking": "", "signature": "",
            ]
        )
        let block0 = events.filter { $0.index == 0 && $0.name == "content_block_delta" }.map {
            $0.delta["type"] as? String
        }
        #expect(block0 == Array(repeating: "thinking_delta", count: 4) + ["signature_delta"])
        let textStart = events.filter { $0.name == "content_block_start" }.last
        #expect((textStart?.data["content_block"] as? [String: Any])?["type"] as? String == "text")
        #expect(textStart?.index == 1)
        let usage = try #require(events.first { $0.name == "message_delta" }).usage
        #expect(usage["output_tokens"] as? Int == 4 + 8)
        #expect(usage["output_tokens_details"] as? [String: Int] == ["thinking_tokens": 4])
    }

    @Test func toolUseStreamsBashInputAsJSONPiecesStartingEmpty() async throws {
        let (_, events) = try await self.stream("Run it [mock:tool_use]")
        #expect(SSETestParser.grammarViolation(events, complete: true) == nil)
        let toolStart = try #require(events.filter { $0.name == "content_block_start" }.last)
        let block = try #require(toolStart.data["content_block"] as? [String: Any])
        #expect(block["type"] as? String == "tool_use")
        #expect(block["name"] as? String == "Bash")
        #expect((block["id"] as? String)?.hasPrefix("toolu_") == true)
        let pieces = events.filter { $0.index == toolStart.index && $0.name == "content_block_delta" }
            .compactMap { $0.delta["partial_json"] as? String }
        #expect(pieces.first == "")
        #expect(pieces.count > 2)
        let input = try JSONSerialization.jsonObject(with: Data(pieces.joined().utf8)) as? [String: String]
        #expect(input == ["command": "echo goosey-roundtrip"])
        let final = try #require(events.first { $0.name == "message_delta" })
        #expect(final.delta["stop_reason"] as? String == "tool_use")
        #expect(final.usage["output_tokens"] as? Int == 8 + pieces.count)
    }

    @Test func errorMidstreamEndsWithOverloadedErrorEventAndNoFinalUsage() async throws {
        let (response, events) = try await self.stream("Go [mock:error_midstream]")
        #expect(response.status == .ok)
        #expect(SSETestParser.grammarViolation(events, complete: false) == nil)
        #expect(events.last?.name == "error")
        #expect(
            events.last?.rawData
                == "{\"type\": \"error\", \"error\": {\"type\": \"overloaded_error\", \"message\": \"Overloaded\"}}"
        )
        #expect(!events.contains { $0.name == "message_delta" || $0.name == "message_stop" })
        #expect(events.filter { $0.name == "content_block_delta" }.count == 4)
    }

    @Test func noFinalUsageStreamStopsAfterTextDeltas() async throws {
        let (response, events) = try await self.stream("Go [mock:no_final_usage]")
        #expect(response.status == .ok)
        #expect(SSETestParser.grammarViolation(events, complete: false) == nil)
        #expect(events.last?.name == "content_block_delta")
        #expect(
            !events.contains { ["message_delta", "message_stop", "error", "content_block_stop"].contains($0.name) }
        )
    }

    @Test func slowScenarioSpacesEventsFiftyMillisecondsApart() async throws {
        let clock = ContinuousClock()
        let started = clock.now
        let (_, events) = try await self.stream("Slowly [mock:slow]", headers: ["x-mock-deltas": "2"], setup: .live)
        let elapsed = clock.now - started
        #expect(events.count == 8)
        #expect(elapsed >= .milliseconds(7 * 50))
        #expect(SSETestParser.grammarViolation(events, complete: true) == nil)
    }

    /// Delayed events are written from the connection's loop, past Hummingbird's writer: over a real connection
    /// the client still reads the script's bytes exactly, framed as every other answer, and the record says so.
    @Test func delayedEventsArriveAsTheScriptsBytesAndAreRecorded() async throws {
        try await MockTest.app().test(.live) { client in
            let response = try await client.execute(
                uri: "/v1/messages?beta=true",
                method: .post,
                headers: MockTest.headers(["x-mock-deltas": "3", "x-mock-delay-ms": "5"]),
                body: MockTest.body("Hello")
            )
            let requestID = try #require(response.headers[HTTPField.Name("request-id")!])
            let script = MockSSEScript(
                reply: MockReply(
                    choice: MockChoice(scenario: .text, toolResultText: nil, deltas: 3, delayMs: 5, webSearch: false),
                    model: "claude-sonnet-4-6",
                    idSuffix: String(requestID.dropFirst(4)),
                    usage: MockUsage(requestBody: MockTest.body("Hello"))
                )
            )
            #expect(response.status == .ok)
            #expect(response.body == script.body)
            let record = try await MockTest.record(requestID, client: client)
            #expect(record.complete && !record.clientDisconnected)
            #expect(record.responseBytes == script.body.readableBytes)
            #expect(record.responseSHA256 == MockSHA256.hex(script.body))
        }
    }

    @Test func delayHeaderOverridesTheSlowDefault() throws {
        let body = ByteBuffer(string: #"{"model":"m","max_tokens":8,"messages":[{"role":"user","content":"Fast [mock:slow]"}]}"#)
        let request = try MockMessagesRequest.parse(body)
        var headers = HTTPFields()
        let slow = try MockChoice(headers: headers, request: request, configuration: MockConfiguration())
        #expect(slow.scenario == .slow && slow.delayMs == 50)
        headers[HTTPField.Name("x-mock-delay-ms")!] = "0"
        let fast = try MockChoice(headers: headers, request: request, configuration: MockConfiguration())
        #expect(fast.scenario == .slow && fast.delayMs == 0)
    }

    @Test func scenarioHeaderBeatsMarkerInBody() async throws {
        let (_, events) = try await self.stream("[mock:thinking]", headers: ["x-mock-scenario": "tool_use"])
        #expect(events.first { $0.name == "message_delta" }?.delta["stop_reason"] as? String == "tool_use")
    }

    @Test func liveServerStreamsTheSameGrammar() async throws {
        let (response, events) = try await self.stream("Hello", setup: .live)
        #expect(response.headers[.transferEncoding] == "chunked")
        #expect(SSETestParser.grammarViolation(events, complete: true) == nil)
    }

    @Test func modelStringIsEscapedIntoJSON() async throws {
        let body = MockTest.body("Hi", model: "weird\"model\\name")
        let events = try await MockTest.app().test(.router) { client in
            let response = try await client.execute(
                uri: "/v1/messages",
                method: .post,
                headers: MockTest.headers(),
                body: body
            )
            return try SSETestParser.parse(response.body)
        }
        #expect((events[0].data["message"] as? [String: Any])?["model"] as? String == "weird\"model\\name")
    }
}
