import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@testable import MockUpstream

@Suite struct NonStreamTests {
    func message(_ text: String, headers: [String: String] = [:]) async throws -> (TestResponse, [String: Any]) {
        try await MockTest.app().test(.router) { client in
            let response = try await client.execute(
                uri: "/v1/messages",
                method: .post,
                headers: MockTest.headers(headers),
                body: MockTest.body(text, stream: false, model: "claude-opus-5-5")
            )
            return (response, try MockTest.object(response.body))
        }
    }

    @Test func textMessageHasTheSection2Shape() async throws {
        let (response, message) = try await self.message("Hello")
        #expect(response.status == .ok)
        #expect(response.headers[.contentType] == "application/json")
        #expect(response.headers[.contentLength] == String(response.body.readableBytes))
        #expect((message["id"] as? String)?.hasPrefix("msg_") == true)
        #expect(message["type"] as? String == "message")
        #expect(message["role"] as? String == "assistant")
        #expect(message["model"] as? String == "claude-opus-5-5")
        #expect(message["stop_reason"] as? String == "end_turn")
        #expect(message.keys.contains("stop_sequence"))
        let content = try #require(message["content"] as? [[String: String]])
        #expect(content == [["type": "text", "text": "Hello from the \"Goosey\" mock upstream.\nThis"]])
        let usage = try #require(message["usage"] as? [String: Any])
        #expect(
            usage["input_tokens"] as? Int == MockTest.body("Hello", stream: false, model: "claude-opus-5-5")
                .readableBytes / 4
        )
        #expect(usage["output_tokens"] as? Int == 8)
        #expect(usage["service_tier"] as? String == "standard")
        #expect(
            usage["cache_creation"] as? [String: Int] == [
                "ephemeral_5m_input_tokens": 0, "ephemeral_1h_input_tokens": 0,
            ]
        )
    }

    @Test func toolUseMessageCarriesParsedInput() async throws {
        let (_, message) = try await self.message("[mock:tool_use]")
        #expect(message["stop_reason"] as? String == "tool_use")
        let content = try #require(message["content"] as? [[String: Any]])
        let tool = try #require(content.last)
        #expect(tool["name"] as? String == "Bash")
        #expect(tool["input"] as? [String: String] == ["command": "echo goosey-roundtrip"])
    }

    @Test func thinkingMessageHasThinkingThenText() async throws {
        let (_, message) = try await self.message("[mock:thinking]")
        let content = try #require(message["content"] as? [[String: Any]])
        #expect(content.map { $0["type"] as? String } == ["thinking", "text"])
        #expect((content[0]["signature"] as? String)?.isEmpty == false)
    }

    @Test func noFinalUsageSendsATruncatedBody() async throws {
        let response = try await MockTest.app().test(.router) { client in
            try await client.execute(
                uri: "/v1/messages",
                method: .post,
                headers: MockTest.headers(),
                body: MockTest.body("[mock:no_final_usage]", stream: false)
            )
        }
        #expect(response.status == .ok)
        #expect((try? MockTest.object(response.body)) == nil)
        #expect(String(buffer: response.body).hasPrefix("{\"id\":\"msg_"))
    }
}
