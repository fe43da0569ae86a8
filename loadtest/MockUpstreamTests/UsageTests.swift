import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@testable import MockUpstream

@Suite struct UsageTests {
    /// A body of exactly `bytes` bytes (padded system prompt) with optional cache_control.
    static func body(bytes: Int, cacheControl: String?) -> ByteBuffer {
        let marker = cacheControl.map { ",\"cache_control\":\($0)" } ?? ""
        let head =
            "{\"model\":\"claude-sonnet-4-6\",\"max_tokens\":64,\"stream\":true,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"system\":[{\"type\":\"text\"\(marker),\"text\":\""
        let tail = "\"}]}"
        let padding = String(repeating: "x", count: bytes - head.utf8.count - tail.utf8.count)
        return ByteBuffer(string: head + padding + tail)
    }

    func usage(
        of body: ByteBuffer,
        headers: [String: String] = [:]
    ) async throws -> (start: [String: Any], final: [String: Any]) {
        try await MockTest.app().test(.router) { client in
            let response = try await client.execute(
                uri: "/v1/messages",
                method: .post,
                headers: MockTest.headers(headers),
                body: body
            )
            let events = try SSETestParser.parse(response.body)
            let start = try #require((events.first?.data["message"] as? [String: Any])?["usage"] as? [String: Any])
            return (start, try #require(events.first { $0.name == "message_delta" }).usage)
        }
    }

    @Test func bodyWithoutCacheControlIsAllUncachedInput() async throws {
        let (start, final) = try await self.usage(of: Self.body(bytes: 4000, cacheControl: nil))
        #expect(start["input_tokens"] as? Int == 1000)
        #expect(start["cache_read_input_tokens"] as? Int == 0)
        #expect(final["input_tokens"] as? Int == 1000)
    }

    @Test func fiveMinuteCacheSplitsSixtyThirtyTen() async throws {
        let (start, final) = try await self.usage(of: Self.body(bytes: 4000, cacheControl: "{\"type\":\"ephemeral\"}"))
        #expect(start["input_tokens"] as? Int == 100)
        #expect(start["cache_read_input_tokens"] as? Int == 600)
        #expect(start["cache_creation_input_tokens"] as? Int == 300)
        #expect(
            start["cache_creation"] as? [String: Int] == [
                "ephemeral_5m_input_tokens": 300, "ephemeral_1h_input_tokens": 0,
            ]
        )
        #expect(final["input_tokens"] as? Int == 100)
        #expect(final["cache_read_input_tokens"] as? Int == 600)
        #expect(final["cache_creation_input_tokens"] as? Int == 300)
    }

    @Test func oneHourTTLMovesCacheWritesToTheOneHourBucket() async throws {
        let (start, _) = try await self.usage(
            of: Self.body(bytes: 4000, cacheControl: "{\"type\":\"ephemeral\",\"ttl\":\"1h\"}")
        )
        #expect(start["cache_creation_input_tokens"] as? Int == 300)
        #expect(
            start["cache_creation"] as? [String: Int] == [
                "ephemeral_5m_input_tokens": 0, "ephemeral_1h_input_tokens": 300,
            ]
        )
    }

    @Test func totalInputIsQuarterOfBodyBytesRoundedDown() async throws {
        let (start, _) = try await self.usage(of: Self.body(bytes: 4003, cacheControl: "{\"type\":\"ephemeral\"}"))
        let parts = ["input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens"].compactMap {
            start[$0] as? Int
        }
        #expect(parts.reduce(0, +) == 1000)
    }

    @Test func sameBodyGivesSameUsage() async throws {
        let body = Self.body(bytes: 2345, cacheControl: "{\"type\":\"ephemeral\"}")
        let first = try await self.usage(of: body)
        let second = try await self.usage(of: body)
        #expect(first.final as? [String: Int] == second.final as? [String: Int])
        #expect(first.start["cache_creation"] as? [String: Int] == second.start["cache_creation"] as? [String: Int])
    }

    @Test func webSearchHeaderAddsServerToolUseToFinalUsage() async throws {
        let (start, final) = try await self.usage(of: MockTest.body(), headers: ["x-mock-server-tool": "web_search"])
        #expect(final["server_tool_use"] as? [String: Int] == ["web_search_requests": 1])
        #expect(start["server_tool_use"] == nil)
    }

    @Test func tinyBodyStillCountsOneInputToken() {
        #expect(MockUsage(requestBody: ByteBuffer(string: "{}")).totalInputTokens == 1)
    }

    @Test func countTokensReportsTheTotalInput() async throws {
        let body = Self.body(bytes: 4000, cacheControl: "{\"type\":\"ephemeral\"}")
        let object = try await MockTest.app().test(.router) { client in
            let response = try await client.execute(
                uri: "/v1/messages/count_tokens",
                method: .post,
                headers: MockTest.headers(),
                body: body
            )
            #expect(response.status == .ok)
            return try MockTest.object(response.body)
        }
        #expect(object as? [String: Int] == ["input_tokens": 1000])
    }
}
