import NIOCore
import Shared
import Testing

@Suite struct UsageMeterTests {
    static let exampleBytes = Array(SSEFixtures.exampleStream.utf8)
    static let exampleReport = SSEFixtures.report(SSEFixtures.exampleStream)

    /// Decoded text, thinking and partial_json of the §3.5 stream.
    static let exampleStreamedText = [
        "The user wants the test suite run.", "I'll run", " the tests.", "", "{\"command\": \"swift te", "st\"}",
    ]

    @Test(arguments: [
        ("text/event-stream", true), ("text/event-stream; charset=utf-8", true), ("Text/Event-Stream;charset=UTF-8", true),
        (" \ttext/event-stream \t; x=y", true), ("application/json", false), ("text/event-streams", false),
        ("text/event-strea", false), ("text/event stream", false), ("text\u{0F}event-stream", false), ("", false), (";", false),
    ])
    func eventStreamsAreKnownByTheirMediaTypeInAnyCase(contentType: String, isEventStream: Bool) {
        #expect(UsageMeter.isEventStream(contentType) == isEventStream)
    }

    @Test func noContentTypeIsNotAnEventStream() {
        #expect(!UsageMeter.isEventStream(nil))
    }

    @Test func exampleStreamReportsItsUsageExactly() {
        let report = Self.exampleReport
        #expect(report.model == "claude-sonnet-4-6")
        #expect(report.messageID == "msg_01LFVLf5zSMPwTcS2SW2hMoA")
        #expect(
            report.usage
                == TokenUsage(inputTokens: 17, cacheCreation5mTokens: 67, cacheReadTokens: 15622, outputTokens: 96)
        )
        #expect(report.usage.totalInputTokens == 17 + 67 + 15622)
        #expect(report.stopReason == "tool_use")
        #expect(report.serviceTier == "standard")
        #expect(report.inferenceGeo == "not_available")
        #expect(report.errorType == nil)
        #expect(report.iterations.isEmpty)
        #expect(report.complete)
        #expect(!report.estimated)
        #expect(!report.splitEstimated)
    }

    @Test func splittingAtEveryByteOffsetGivesTheIdenticalReport() {
        for offset in 0...Self.exampleBytes.count {
            #expect(
                SSEFixtures.report(SSEFixtures.split(Self.exampleBytes, at: offset)) == Self.exampleReport,
                "split at \(offset)"
            )
        }
    }

    @Test(arguments: [1, 3, 17, 1000])
    func fixedSizeChunksGiveTheIdenticalReport(size: Int) {
        #expect(SSEFixtures.report(SSEFixtures.chunks(Self.exampleBytes, sizes: [size])) == Self.exampleReport)
    }

    @Test(arguments: 1...10)
    func randomChunksGiveTheIdenticalReport(seed: Int) {
        let sizes = SSEFixtures.randomSizes(count: 50, upTo: 64, seed: UInt64(seed) + 100)
        #expect(SSEFixtures.report(SSEFixtures.chunks(Self.exampleBytes, sizes: sizes)) == Self.exampleReport)
    }

    @Test(arguments: ["\r\n", "\r"])
    func crlfAndCRStreamsGiveTheIdenticalReport(ending: String) {
        let bytes = Array(SSEFixtures.exampleStream.replacing("\n", with: ending).utf8)
        #expect(SSEFixtures.report(SSEFixtures.chunks(bytes, sizes: [1])) == Self.exampleReport)
        #expect(SSEFixtures.report(SSEFixtures.chunks(bytes, sizes: [2, 5])) == Self.exampleReport)
    }

    @Test(arguments: ["text/event-stream", "text/event-stream; charset=utf-8", " TEXT/Event-Stream ;x=y"])
    func eventStreamContentTypesSelectTheSSEParser(contentType: String) {
        #expect(SSEFixtures.report(SSEFixtures.exampleStream, contentType: contentType) == Self.exampleReport)
    }

    @Test func messageDeltaUsageReplacesAndNeverAdds() {
        let text =
            SSEFixtures.event("message_start", Self.start(input: 2679, output: 3))
            + SSEFixtures.event(
                "message_delta",
                #"{"type":"message_delta","delta":{"stop_reason":null},"usage":{"output_tokens":10}}"#
            )
            + SSEFixtures.event(
                "message_delta",
                #"{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"input_tokens":10682,"output_tokens":510}}"#
            )
            + SSEFixtures.event("message_stop", #"{"type":"message_stop"}"#)
        let report = SSEFixtures.report(text)
        #expect(report.usage.inputTokens == 10682)
        #expect(report.usage.outputTokens == 510)
        #expect(report.stopReason == "end_turn")
        #expect(report.complete && !report.estimated)
    }

    @Test func aMessageDeltaWithoutUsageChangesNothing() {
        let text =
            SSEFixtures.event("message_start", Self.start(input: 25, output: 1))
            + SSEFixtures.event(
                "message_delta",
                #"{"type":"message_delta","delta":{"stop_reason":null},"usage":{"output_tokens":15}}"#
            )
            + SSEFixtures.event(
                "message_delta",
                #"{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null}}"#
            )
            + SSEFixtures.event("message_delta", #"{"type":"message_delta","delta":{},"usage":null}"#)
            + SSEFixtures.event("message_stop", #"{"type":"message_stop"}"#)
        let report = SSEFixtures.report(text)
        #expect(report.usage == TokenUsage(inputTokens: 25, outputTokens: 15))
        #expect(report.stopReason == "end_turn")
        #expect(report.complete && !report.estimated)
    }

    @Test func nullFieldsInAMessageDeltaKeepTheStartValues() {
        let text =
            SSEFixtures.event("message_start", Self.start(input: 40, cacheRead: 900, output: 1))
            + SSEFixtures.event(
                "message_delta",
                #"{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"input_tokens":null,"cache_read_input_tokens":null,"output_tokens":7}}"#
            )
        let report = SSEFixtures.report(text)
        #expect(report.usage == TokenUsage(inputTokens: 40, cacheReadTokens: 900, outputTokens: 7))
    }

    @Test func anErrorEventRecordsItsTypeAndLeavesTheResponseIncomplete() {
        let text =
            SSEFixtures.event("message_start", Self.start(input: 25, output: 1))
            + SSEFixtures.event("content_block_delta", Self.textDelta(String(repeating: "a", count: 41)))
            + "event: error\ndata: {\"type\": \"error\", \"error\": {\"type\": \"overloaded_error\", \"message\": \"Overloaded\"}}\n\n"
        let report = SSEFixtures.report(text)
        #expect(report.errorType == "overloaded_error")
        #expect(!report.complete)
        #expect(report.estimated)
        #expect(report.usage.outputTokens == 11)  // ceil(41 / 4)
        #expect(report.usage.inputTokens == 25)
    }

    @Test func anUnreadableErrorEventStillCountsAsAnError() {
        let report = SSEFixtures.report("event: error\ndata: oops\n\n")
        #expect(report.errorType == "unknown_error")
        #expect(!report.complete)
    }

    @Test func anAbortedStreamGetsTheFloorEstimateOfFourCharactersPerToken() {
        let report = SSEFixtures.report(SSEFixtures.exampleStreamBeforeMessageDelta, aborted: true)
        let characters = Self.exampleStreamedText.reduce(0) { $0 + $1.unicodeScalars.count }
        #expect(report.usage.outputTokens == Int64((characters + 3) / 4))
        #expect(report.usage.inputTokens == 17 && report.usage.cacheReadTokens == 15622)
        #expect(report.estimated)
        #expect(!report.complete)
    }

    @Test func aStreamThatJustEndsWithoutMessageDeltaIsEstimatedToo() {
        let report = SSEFixtures.report(SSEFixtures.exampleStreamBeforeMessageDelta)
        #expect(report.estimated && !report.complete)
        #expect(report.usage.outputTokens == 20)  // ceil(78 / 4)
    }

    @Test func theFloorEstimateNeverGoesBelowThePlaceholder() {
        let text =
            SSEFixtures.event("message_start", Self.start(input: 5, output: 50))
            + SSEFixtures.event("content_block_delta", Self.textDelta("Hi"))
        #expect(SSEFixtures.report(text, aborted: true).usage.outputTokens == 50)
    }

    @Test func bytesAfterAnAbortAreIgnored() {
        var meter = UsageMeter(contentType: "text/event-stream")
        meter.feed(ByteBuffer(string: SSEFixtures.exampleStreamBeforeMessageDelta))
        meter.markAborted()
        meter.feed(
            ByteBuffer(
                string: String(SSEFixtures.exampleStream.trimmingPrefix(SSEFixtures.exampleStreamBeforeMessageDelta))
            )
        )
        #expect(meter.finish().estimated)
    }

    @Test func anAbortAfterTheFinalUsageKeepsTheExactUsage() {
        let report = SSEFixtures.report(SSEFixtures.exampleStream, aborted: true)
        #expect(report == Self.exampleReport)
    }

    @Test func streamedCharactersAreUnicodeScalarsOfTheDecodedStrings() {
        // "é" escaped, "😀" as a surrogate pair, "ü" raw UTF-8, "\n" escaped: 1 + 1 + 1 + 1 + 3 = 7 scalars.
        let text =
            SSEFixtures.event("message_start", Self.start(input: 1, output: 0))
            + SSEFixtures.event("content_block_delta", Self.textDelta(#"\u00e9\ud83d\ude00ü\nabc"#))
        #expect(SSEFixtures.report(text, aborted: true).usage.outputTokens == 2)  // ceil(7 / 4)
        let more = text + SSEFixtures.event("content_block_delta", Self.textDelta("x"))
        #expect(SSEFixtures.report(more, aborted: true).usage.outputTokens == 2)  // ceil(8 / 4)
    }

    @Test func signatureAndCitationDeltasAreNotCounted() {
        let text =
            SSEFixtures.event("message_start", Self.start(input: 1, output: 0))
            + SSEFixtures.event(
                "content_block_delta",
                #"{"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrk"}}"#
            )
            + SSEFixtures.event(
                "content_block_delta",
                #"{"type":"content_block_delta","index":0,"delta":{"type":"citations_delta","citation":{"cited_text":"a long cited text"}}}"#
            )
        #expect(SSEFixtures.report(text, aborted: true).usage.outputTokens == 0)
    }

    @Test func eventsAreRecognisedByTheirEventNameNotTheirDataType() {
        let text =
            "data: " + Self.start(input: 999, output: 1) + "\n\n"
            + SSEFixtures.event("message_start", Self.start(input: 5, output: 1))
        #expect(SSEFixtures.report(text).usage.inputTokens == 5)
    }

    @Test func serverToolUseCountsWebSearchesAndFetches() {
        let text =
            SSEFixtures.event("message_start", Self.start(input: 2679, output: 3))
            + SSEFixtures.event(
                "message_delta",
                #"{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"input_tokens":10682,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":510,"server_tool_use":{"web_search_requests":1,"web_fetch_requests":2}}}"#
            )
            + SSEFixtures.event("message_stop", #"{"type":"message_stop"}"#)
        let report = SSEFixtures.report(text)
        #expect(report.usage.webSearchRequests == 1)
        #expect(report.usage.webFetchRequests == 2)
        #expect(report.usage.inputTokens == 10682)
    }

    @Test func malformedEventsAreSkippedWithoutLosingTheRest() {
        let text =
            SSEFixtures.event("message_start", Self.start(input: 7, output: 1))
            + SSEFixtures.event("message_delta", #"{"type":"message_delta","usage":{"output_tokens":"#)
            + SSEFixtures.event("content_block_delta", "not json")
            + SSEFixtures.event("message_delta", #"{"type":"message_delta","usage":{"output_tokens":12}}"#)
            + SSEFixtures.event("message_stop", "{}")
        let report = SSEFixtures.report(text)
        #expect(report.usage == TokenUsage(inputTokens: 7, outputTokens: 12))
        #expect(report.complete)
    }

    // MARK: - Helpers

    static func start(input: Int, cacheRead: Int = 0, output: Int, model: String = "claude-sonnet-4-6") -> String {
        #"{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":""#
            + model
            + #"","content":[],"stop_reason":null,"usage":{"input_tokens":\#(input),"cache_read_input_tokens":\#(cacheRead),"output_tokens":\#(output)}}}"#
    }

    static func textDelta(_ rawJSONText: String) -> String {
        #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":""# + rawJSONText + #""}}"#
    }
}
