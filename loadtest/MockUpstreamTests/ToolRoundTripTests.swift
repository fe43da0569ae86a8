import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@testable import MockUpstream

@Suite struct ToolRoundTripTests {
    /// The second request of a Claude Code tool round trip: history + a user tool_result.
    static func followUpBody(result: Any, earlierMarker: String = "[mock:tool_use]") -> ByteBuffer {
        MockTest.json([
            "model": "claude-sonnet-4-6",
            "max_tokens": 1024,
            "stream": true,
            "messages": [
                ["role": "user", "content": "Please run it \(earlierMarker)"],
                [
                    "role": "assistant",
                    "content": [
                        ["type": "text", "text": "I'll run the command now."],
                        [
                            "type": "tool_use", "id": "toolu_1", "name": "Bash",
                            "input": ["command": "echo goosey-roundtrip"],
                        ],
                    ],
                ],
                [
                    "role": "user",
                    "content": [["type": "tool_result", "tool_use_id": "toolu_1", "content": result]],
                ],
            ],
        ])
    }

    func answer(_ body: ByteBuffer) async throws -> [ParsedEvent] {
        try await MockTest.app().test(.router) { client in
            let response = try await client.execute(
                uri: "/v1/messages?beta=true",
                method: .post,
                headers: MockTest.headers(),
                body: body
            )
            #expect(response.status == .ok)
            return try SSETestParser.parse(response.body)
        }
    }

    @Test func toolResultStringIsQuotedBackAsText() async throws {
        let events = try await self.answer(Self.followUpBody(result: "goosey-roundtrip\n"))
        #expect(SSETestParser.grammarViolation(events, complete: true) == nil)
        #expect(SSETestParser.text(events) == "The command printed: goosey-roundtrip")
        let final = try #require(events.first { $0.name == "message_delta" })
        #expect(final.delta["stop_reason"] as? String == "end_turn")
        #expect(final.usage["output_tokens"] as? Int == 4)
    }

    @Test func toolResultTextBlocksAreQuotedBack() async throws {
        let events = try await self.answer(Self.followUpBody(result: [["type": "text", "text": "goosey-roundtrip"]]))
        #expect(SSETestParser.text(events) == "The command printed: goosey-roundtrip")
    }

    @Test func markersInEarlierTurnsAreIgnored() async throws {
        let events = try await self.answer(Self.followUpBody(result: "ok", earlierMarker: "[mock:error_midstream]"))
        #expect(events.last?.name == "message_stop")
        #expect(
            !events.contains {
                $0.name == "content_block_start"
                    && ($0.data["content_block"] as? [String: Any])?["type"] as? String == "tool_use"
            }
        )
    }

    @Test func markerOnlyCountsInTheLastUserMessage() async throws {
        let body = MockTest.json([
            "model": "claude-sonnet-4-6",
            "max_tokens": 64,
            "stream": true,
            "messages": [
                ["role": "user", "content": "first [mock:error_midstream]"],
                ["role": "assistant", "content": "Sure."],
                ["role": "user", "content": [["type": "text", "text": "and now plain text"]]],
            ],
        ])
        let events = try await self.answer(body)
        #expect(events.last?.name == "message_stop")
    }

    @Test func markerInTextBlockOfLastUserMessageCounts() async throws {
        let body = MockTest.json([
            "model": "claude-sonnet-4-6",
            "max_tokens": 64,
            "stream": true,
            "messages": [
                [
                    "role": "user",
                    "content": [["type": "text", "text": "x"], ["type": "text", "text": "[mock:no_final_usage]"]],
                ]
            ],
        ])
        let events = try await self.answer(body)
        #expect(events.last?.name == "content_block_delta")
    }
}
