import Foundation
import Shared
import Testing

@Suite struct MoneyTests {
    @Test(arguments: [
        (Int64(123_000_000), "0.000123"),
        (0, "0.00"),
        (1, "0.000000000001"),
        (1_500_000_000_000, "1.50"),
        (10_000_000_000, "0.01"),
        (-5, "-0.000000000005"),
        (Int64.max, "9223372.036854775807"),
        (Int64.min, "-9223372.036854775808"),
    ])
    func picoDollarsRenderAsExactDecimalUSD(amount: Int64, text: String) {
        #expect(Money.usdString(amount) == text)
    }

    @Test(arguments: [
        ("0.000123", Int64?(123_000_000)), ("10", 10_000_000_000_000), ("0.000000000001", 1),
        ("1.5", 1_500_000_000_000),
        ("0.0000000000001", nil), ("-1", nil), ("1.", nil), (".5", nil), ("abc", nil), ("", nil),
    ])
    func decimalUSDParsesExactly(text: String, amount: Int64?) {
        #expect(Money.picoDollars(usd: text) == amount)
    }

    @Test(arguments: [("3.75", Int64?(3_750_000)), ("0.125", 125_000), ("22.50", 22_500_000), ("0.0000001", nil)])
    func ratesPerMillionTokensBecomePicoDollarsPerToken(text: String, rate: Int64?) {
        #expect(Money.picoDollarsPerToken(usdPerMTok: text) == rate)
    }
}

@Suite struct WeightedTokensTests {
    @Test func standardWeightsAreOneOneQuarterTwoTenthAndFive() {
        let usage = TokenUsage(
            inputTokens: 1000,
            cacheCreation5mTokens: 100,
            cacheCreation1hTokens: 10,
            cacheReadTokens: 10_000,
            outputTokens: 7
        )
        let weighted = WeightedTokens(usage)
        #expect(weighted.milliTokens == 1_000_000 + 125_000 + 20_000 + 1_000_000 + 35_000)
        #expect(weighted.tokens == 2180)
    }

    @Test(arguments: [(Int64(1), Int64(1)), (9, 1), (10, 1), (11, 2), (0, 0)])
    func fractionalWeightedTokensRoundUp(cacheReads: Int64, tokens: Int64) {
        #expect(WeightedTokens(TokenUsage(cacheReadTokens: cacheReads)).tokens == tokens)
    }

    @Test func aReportWeighsItsIterationsWhenItHasThem() {
        let report = UsageReport(
            usage: TokenUsage(outputTokens: 1),
            iterations: [
                IterationUsage(type: "message", usage: TokenUsage(outputTokens: 10)),
                IterationUsage(type: "advisor_message", model: "claude-opus-4-6", usage: TokenUsage(outputTokens: 20)),
            ]
        )
        #expect(WeightedTokens(report).tokens == 150)
    }

    @Test func sumsAreExactBeforeRounding() {
        let third = WeightedTokens(TokenUsage(cacheReadTokens: 3))  // 0.3
        #expect((third + third + third).tokens == 1)
        #expect(third.tokens + third.tokens + third.tokens == 3)
    }
}

@Suite struct TokenUsageTests {
    @Test func plusAddsEveryField() {
        let one = TokenUsage(
            inputTokens: 1,
            cacheCreation5mTokens: 2,
            cacheCreation1hTokens: 3,
            cacheReadTokens: 4,
            outputTokens: 5,
            webSearchRequests: 6,
            webFetchRequests: 7
        )
        #expect(
            one + one
                == TokenUsage(
                    inputTokens: 2,
                    cacheCreation5mTokens: 4,
                    cacheCreation1hTokens: 6,
                    cacheReadTokens: 8,
                    outputTokens: 10,
                    webSearchRequests: 12,
                    webFetchRequests: 14
                )
        )
        #expect(one.cacheCreationTokens == 5)
        #expect(one.totalInputTokens == 10)
    }

    @Test func itEncodesWithGooseysOwnSnakeCaseKeys() throws {
        let data = try JSONEncoder().encode(TokenUsage(inputTokens: 1))
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Int]
        #expect(
            object.map { Set($0.keys) } == [
                "input", "cache_write_5m", "cache_write_1h", "cache_read", "output", "web_search_requests",
                "web_fetch_requests",
            ]
        )
    }

    @Test func missingKeysDecodeAsZero() throws {
        let usage = try JSONDecoder().decode(TokenUsage.self, from: Data(#"{"input": 4, "output": 2}"#.utf8))
        #expect(usage == TokenUsage(inputTokens: 4, outputTokens: 2))
    }

    @Test func aReportSurvivesAJSONRoundTrip() throws {
        let report = SSEFixtures.report(UsageMeterSplitTests.iterationStream)
        let decoded = try JSONDecoder().decode(UsageReport.self, from: try JSONEncoder().encode(report))
        #expect(decoded == report)
    }
}
