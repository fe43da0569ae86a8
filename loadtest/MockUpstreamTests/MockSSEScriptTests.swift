import HTTPTypes
import NIOCore
import Testing

@testable import MockUpstream

@Suite struct MockSSEScriptTests {
    static func reply(_ scenario: MockScenario) -> MockReply {
        let choice = MockChoice(scenario: scenario, toolResultText: nil, deltas: 8, delayMs: 0, webSearch: false)
        return MockReply(
            choice: choice,
            model: "claude-sonnet-4-6",
            idSuffix: "011test",
            usage: MockUsage(requestBody: ByteBuffer(string: "{}"))
        )
    }

    @Test(arguments: MockScenario.allCases.filter { $0 != .overloaded && $0 != .rateLimited })
    func eachChunkIsExactlyOneEvent(scenario: MockScenario) {
        let script = MockSSEScript(reply: Self.reply(scenario))
        var joined = ByteBuffer()
        for index in script.eventEnds.indices {
            let chunk = String(buffer: script.event(index))
            #expect(chunk.hasPrefix("event: "))
            #expect(chunk.hasSuffix("\n\n"))
            #expect(chunk.dropLast(2).split(separator: "\n", omittingEmptySubsequences: false).count == 2)
            joined.writeString(chunk)
        }
        #expect(joined == script.body)
    }

    @Test func jsonWriterEscapesControlCharactersQuotesAndBackslashes() {
        var json = MockJSONWriter(capacity: 16)
        json.string("a\"b\\c\nd\te\u{01}f\u{1F}é😀")
        #expect(String(buffer: json.buffer) == "\"a\\\"b\\\\c\\nd\\te\\u0001f\\u001fé😀\"")
    }

    @Test(arguments: [
        (0, "1970-01-01T00:00:00Z"), (951_782_400, "2000-02-29T00:00:00Z"), (1_740_435_932, "2025-02-24T22:25:32Z"),
    ])
    func rfc3339FormatsUTC(seconds: Int, expected: String) {
        #expect(rfc3339(epochSeconds: seconds) == expected)
    }
}
