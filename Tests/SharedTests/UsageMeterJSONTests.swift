import NIOCore
import Shared
import Testing

/// Non-streaming bodies (`anthropic-wire.md` §2, §4.1).
@Suite struct UsageMeterJSONTests {
    static let messageBody = #"""
        {
          "id": "msg_01XFDUDYJgAACzvnptvVoYEL",
          "type": "message",
          "role": "assistant",
          "model": "claude-sonnet-4-6",
          "content": [
            {"type": "thinking", "thinking": "…", "signature": "EqQB…"},
            {"type": "text", "text": "I'll run the tests. \"quoted\" \\ {not a brace}"},
            {"type": "tool_use", "id": "toolu_01T1x1fJ34qAmk2tNTrN7Up6", "name": "Bash", "input": {"command": "swift test"}}
          ],
          "stop_reason": "tool_use",
          "stop_sequence": null,
          "stop_details": null,
          "container": null,
          "usage": {
            "input_tokens": 17,
            "cache_creation_input_tokens": 3117,
            "cache_read_input_tokens": 14723,
            "cache_creation": {"ephemeral_5m_input_tokens": 3117, "ephemeral_1h_input_tokens": 0},
            "output_tokens": 96,
            "output_tokens_details": {"thinking_tokens": 41},
            "server_tool_use": null,
            "service_tier": "standard",
            "inference_geo": "global"
          }
        }
        """#

    static let expected = UsageReport(
        model: "claude-sonnet-4-6",
        messageID: "msg_01XFDUDYJgAACzvnptvVoYEL",
        usage: TokenUsage(inputTokens: 17, cacheCreation5mTokens: 3117, cacheReadTokens: 14723, outputTokens: 96),
        stopReason: "tool_use",
        serviceTier: "standard",
        inferenceGeo: "global",
        complete: true
    )

    @Test(arguments: [nil, "application/json", "application/json; charset=utf-8"])
    func aMessageBodyReportsItsUsage(contentType: String?) {
        #expect(SSEFixtures.report(Self.messageBody, contentType: contentType) == Self.expected)
    }

    @Test(arguments: [1, 5, 64])
    func aBodyInManyChunksReportsTheSame(size: Int) {
        let chunks = SSEFixtures.chunks(Array(Self.messageBody.utf8), sizes: [size])
        #expect(SSEFixtures.report(chunks, contentType: "application/json") == Self.expected)
    }

    @Test func anErrorBodyRecordsItsTypeAndNoUsage() {
        let body =
            #"{"type":"error","error":{"type":"rate_limit_error","message":"Number of request tokens has exceeded your per-minute rate limit"},"request_id":"req_011CSHoEeqs5C35K2UUqR7Fy"}"#
        let report = SSEFixtures.report(body, contentType: "application/json")
        #expect(report.errorType == "rate_limit_error")
        #expect(report.usage == TokenUsage())
        #expect(!report.complete && !report.estimated)
    }

    @Test func aTruncatedBodyIsEstimatedAndIncomplete() {
        let cut = String(Self.messageBody.prefix(200))
        let report = SSEFixtures.report(cut, contentType: "application/json", aborted: true)
        #expect(!report.complete)
        #expect(report.estimated)
        #expect(report.model == "claude-sonnet-4-6")
    }

    @Test func aBodyWithoutUsageThatIsNotAMessageIsNeitherCompleteNorEstimated() {
        let report = SSEFixtures.report(#"{"input_tokens": 2095}"#, contentType: "application/json")
        #expect(!report.complete && !report.estimated)
        #expect(report.usage == TokenUsage())
    }

    @Test func aBodyThatIsNotJSONIsEstimated() {
        let report = SSEFixtures.report("<html>502 Bad Gateway</html>", contentType: "text/html")
        #expect(!report.complete && report.estimated && report.errorType == nil)
    }

    @Test func anEmptyBodyReportsNothing() {
        let report = SSEFixtures.report([], contentType: "application/json")
        #expect(report == UsageReport())
    }

    @Test func aBodyWithIterationsReportsThem() {
        let body =
            #"{"type":"message","model":"claude-sonnet-4-6","usage":{"input_tokens":3,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":9,"iterations":[{"type":"compaction","input_tokens":100,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":40},{"type":"message","input_tokens":3,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":9}]}}"#
        let report = SSEFixtures.report(body, contentType: "application/json")
        #expect(report.iterations.map(\.type) == ["compaction", "message"])
        #expect(report.billableUsage == TokenUsage(inputTokens: 103, outputTokens: 49))
        #expect(report.complete)
    }
}
