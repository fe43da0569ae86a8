import NIOCore
import Shared
import Testing

/// The 5-minute/1-hour cache-write split and `iterations[]` (`anthropic-wire.md` §3.4, §0.8).
@Suite struct UsageMeterSplitTests {
    @Test func theStartSplitIsUsedWhenTheFinalTotalMatchesIt() {
        let report = SSEFixtures.report(Self.stream(start5m: 100, start1h: 200, finalCacheCreation: 300))
        #expect(report.usage.cacheCreation5mTokens == 100)
        #expect(report.usage.cacheCreation1hTokens == 200)
        #expect(!report.splitEstimated)
    }

    @Test(arguments: [
        (CacheTTL.fiveMinutes, Int64(200), Int64(200)),
        (CacheTTL.oneHour, Int64(100), Int64(300)),
    ])
    func aGrownTotalPutsTheRemainderAtTheRequestedTTL(ttl: CacheTTL, fiveMinutes: Int64, oneHour: Int64) {
        let report = SSEFixtures.report(
            Self.stream(start5m: 100, start1h: 200, finalCacheCreation: 400),
            requestedTTL: ttl
        )
        #expect(report.usage.cacheCreation5mTokens == fiveMinutes)
        #expect(report.usage.cacheCreation1hTokens == oneHour)
        #expect(report.usage.cacheCreationTokens == 400)
        #expect(report.splitEstimated)
    }

    @Test func aShrunkTotalTakesFromTheRequestedTTLFirstAndNeverGoesNegative() {
        let report = SSEFixtures.report(
            Self.stream(start5m: 100, start1h: 200, finalCacheCreation: 50),
            requestedTTL: .fiveMinutes
        )
        #expect(report.usage.cacheCreation5mTokens == 0)
        #expect(report.usage.cacheCreation1hTokens == 50)
        #expect(report.splitEstimated)
    }

    @Test func withNoSplitAtAllEveryWriteGoesToTheRequestedTTL() {
        let text = SSEFixtures.event(
            "message_start",
            #"{"type":"message_start","message":{"model":"claude-haiku-4-5","usage":{"input_tokens":3,"cache_creation_input_tokens":500,"output_tokens":1}}}"#
        )
        let report = SSEFixtures.report(text, requestedTTL: .oneHour)
        #expect(report.usage.cacheCreation1hTokens == 500 && report.usage.cacheCreation5mTokens == 0)
        #expect(report.splitEstimated)
    }

    @Test func fiveMinuteAndOneHourWritesArePricedDifferently() {
        let fiveMinutes = SSEFixtures.report(Self.stream(start5m: 1000, start1h: 0, finalCacheCreation: 1000))
        let oneHour = SSEFixtures.report(Self.stream(start5m: 0, start1h: 1000, finalCacheCreation: 1000))
        let table = PricingTable.standard
        // Sonnet 4.6: 5m write $3.75/MTok, 1h write $6/MTok → 1000 tokens differ by 1000 × 2,250,000 p$.
        #expect(table.cost(of: oneHour) - table.cost(of: fiveMinutes) == 2_250_000_000)
    }

    @Test func iterationsAreReportedAndTheirSplitsSummed() {
        let report = SSEFixtures.report(Self.iterationStream)
        #expect(
            report.iterations == [
                IterationUsage(
                    type: "message",
                    usage: TokenUsage(
                        inputTokens: 10,
                        cacheCreation5mTokens: 100,
                        cacheCreation1hTokens: 20,
                        cacheReadTokens: 1000,
                        outputTokens: 50
                    )
                ),
                IterationUsage(
                    type: "advisor_message",
                    model: "claude-opus-4-6",
                    usage: TokenUsage(inputTokens: 5, cacheCreation1hTokens: 400, outputTokens: 30)
                ),
                IterationUsage(
                    type: "message",
                    usage: TokenUsage(
                        inputTokens: 12,
                        cacheCreation5mTokens: 30,
                        cacheCreation1hTokens: 10,
                        cacheReadTokens: 1120,
                        outputTokens: 70
                    )
                ),
            ]
        )
        // The top level counts the two non-advisor iterations: 160 cache writes, split 130 / 30.
        #expect(report.usage.cacheCreation5mTokens == 130)
        #expect(report.usage.cacheCreation1hTokens == 30)
        #expect(!report.splitEstimated)
        #expect(report.billableUsage.outputTokens == 150)
    }

    @Test func iterationsArePricedEachAtTheirOwnModel() {
        let report = SSEFixtures.report(Self.iterationStream)
        let table = PricingTable.standard
        let expected = report.iterations.reduce(Int64(0)) { sum, iteration in
            sum + table.tokenCost(iteration.usage, model: iteration.model ?? "claude-sonnet-4-6")
        }
        #expect(table.cost(of: report) == expected)
        // The advisor iteration at Opus 4.6 rates: 5 × $5 + 400 × $10 + 30 × $25 per MTok.
        #expect(
            table.tokenCost(report.iterations[1].usage, model: "claude-opus-4-6") == 5 * 5_000_000 + 400 * 10_000_000
                + 30 * 25_000_000
        )
        #expect(table.cost(of: report) != table.tokenCost(report.usage, model: "claude-sonnet-4-6"))
    }

    @Test func anIterationWithoutASplitIsPlacedAtTheRequestedTTLAndMarked() {
        let text = SSEFixtures.event(
            "message_delta",
            #"{"type":"message_delta","delta":{},"usage":{"output_tokens":5,"cache_creation_input_tokens":80,"iterations":[{"type":"message","input_tokens":1,"cache_creation_input_tokens":80,"cache_read_input_tokens":0,"output_tokens":5,"cache_creation":null}]}}"#
        )
        let report = SSEFixtures.report(text, requestedTTL: .oneHour)
        #expect(report.iterations.first?.usage.cacheCreation1hTokens == 80)
        #expect(report.usage.cacheCreation1hTokens == 80)
        #expect(report.splitEstimated)
    }

    // MARK: - Fixtures

    static func stream(start5m: Int, start1h: Int, finalCacheCreation: Int) -> String {
        SSEFixtures.event(
            "message_start",
            #"{"type":"message_start","message":{"model":"claude-sonnet-4-6","id":"msg_s","usage":{"input_tokens":10,"cache_creation_input_tokens":\#(start5m + start1h),"cache_read_input_tokens":0,"cache_creation":{"ephemeral_5m_input_tokens":\#(start5m),"ephemeral_1h_input_tokens":\#(start1h)},"output_tokens":1}}}"#
        )
            + SSEFixtures.event(
                "message_delta",
                #"{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"input_tokens":10,"cache_creation_input_tokens":\#(finalCacheCreation),"cache_read_input_tokens":0,"output_tokens":20}}"#
            )
            + SSEFixtures.event("message_stop", #"{"type":"message_stop"}"#)
    }

    static let iterationStream =
        SSEFixtures.event(
            "message_start",
            #"{"type":"message_start","message":{"model":"claude-sonnet-4-6","id":"msg_i","usage":{"input_tokens":10,"cache_creation_input_tokens":120,"cache_read_input_tokens":1000,"cache_creation":{"ephemeral_5m_input_tokens":100,"ephemeral_1h_input_tokens":20},"output_tokens":1}}}"#
        )
        + SSEFixtures.event(
            "message_delta",
            #"{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"input_tokens":22,"cache_creation_input_tokens":160,"cache_read_input_tokens":2120,"output_tokens":120,"iterations":[{"type":"message","input_tokens":10,"cache_creation_input_tokens":120,"cache_read_input_tokens":1000,"output_tokens":50,"cache_creation":{"ephemeral_5m_input_tokens":100,"ephemeral_1h_input_tokens":20}},{"type":"advisor_message","model":"claude-opus-4-6","input_tokens":5,"cache_creation_input_tokens":400,"cache_read_input_tokens":0,"output_tokens":30,"cache_creation":{"ephemeral_5m_input_tokens":0,"ephemeral_1h_input_tokens":400}},{"type":"message","input_tokens":12,"cache_creation_input_tokens":40,"cache_read_input_tokens":1120,"output_tokens":70,"cache_creation":{"ephemeral_5m_input_tokens":30,"ephemeral_1h_input_tokens":10}}]}}"#
        )
        + SSEFixtures.event("message_stop", #"{"type":"message_stop"}"#)
}
