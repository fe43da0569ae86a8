import Foundation
import Shared
import Testing

@Suite struct PricingTableTests {
    let table = PricingTable.standard

    /// Every §7.2 row in pico-dollars per token: input, 5m write, 1h write, read, output.
    @Test(arguments: [
        ("claude-fable-5-2", [8_000_000, 10_000_000, 16_000_000, 200_000, 40_000_000]),
        ("claude-fable-5-1", [10_000_000, 12_500_000, 20_000_000, 250_000, 50_000_000]),
        ("claude-fable-5", [10_000_000, 12_500_000, 20_000_000, 1_000_000, 50_000_000]),
        ("claude-opus-5-5", [4_000_000, 5_000_000, 8_000_000, 200_000, 20_000_000]),
        ("claude-opus-5", [5_000_000, 6_250_000, 10_000_000, 500_000, 25_000_000]),
        ("claude-opus-4-8", [5_000_000, 6_250_000, 10_000_000, 500_000, 25_000_000]),
        ("claude-opus-4-7", [5_000_000, 6_250_000, 10_000_000, 500_000, 25_000_000]),
        ("claude-opus-4-6", [5_000_000, 6_250_000, 10_000_000, 500_000, 25_000_000]),
        ("claude-opus-4-5", [5_000_000, 6_250_000, 10_000_000, 500_000, 25_000_000]),
        ("claude-opus-4-1", [15_000_000, 18_750_000, 30_000_000, 1_500_000, 75_000_000]),
        ("claude-opus-4-20250514", [15_000_000, 18_750_000, 30_000_000, 1_500_000, 75_000_000]),
        ("claude-sonnet-5-5", [2_000_000, 2_500_000, 4_000_000, 100_000, 10_000_000]),
        ("claude-sonnet-5", [2_000_000, 2_500_000, 4_000_000, 200_000, 10_000_000]),
        ("claude-sonnet-4-6", [3_000_000, 3_750_000, 6_000_000, 300_000, 15_000_000]),
        ("claude-sonnet-4-5", [3_000_000, 3_750_000, 6_000_000, 300_000, 15_000_000]),
        ("claude-sonnet-4-20250514", [3_000_000, 3_750_000, 6_000_000, 300_000, 15_000_000]),
        ("claude-haiku-5-5", [100_000, 125_000, 200_000, 10_000, 500_000]),
        ("claude-haiku-4-5", [1_000_000, 1_250_000, 2_000_000, 100_000, 5_000_000]),
        ("claude-3-5-haiku-20241022", [800_000, 1_000_000, 1_600_000, 80_000, 4_000_000]),
        ("claude-3-haiku-20240307", [250_000, 300_000, 500_000, 30_000, 1_250_000]),
    ])
    func everyRowHasThePriceListRates(model: String, rates: [Int64]) {
        #expect(self.table.knownPrice(for: model) != nil, "\(model) has a row")
        let actual = self.table.rates(for: model, totalInputTokens: 1000)
        #expect([actual.input, actual.cacheWrite5m, actual.cacheWrite1h, actual.cacheRead, actual.output] == rates)
    }

    @Test(arguments: [
        ("claude-opus-5-5[1m]", "claude-opus-5-5"),
        ("claude-sonnet-4-6[1m]", "claude-sonnet-4-6"),
        ("claude-haiku-4-5-20251001", "claude-haiku-4-5"),
        ("claude-opus-4-5-20251101", "claude-opus-4-5"),
        ("claude-sonnet-4-5@20250929", "claude-sonnet-4-5"),
        ("us.anthropic.claude-sonnet-4-5-20250929-v1:0", "claude-sonnet-4-5"),
        ("claude-3-5-haiku-latest", "claude-3-5-haiku"),
        (" Claude-Opus-4-6 ", "claude-opus-4-6"),
    ])
    func modelIDsNormalizeToTheirRow(model: String, normalized: String) {
        #expect(PricingTable.normalizedModelID(model) == normalized)
        #expect(self.table.knownPrice(for: model) == self.table.knownPrice(for: normalized))
        #expect(self.table.knownPrice(for: model) != nil)
    }

    @Test func idsMatchWholeNeverByPrefix() {
        #expect(self.table.price(for: "claude-opus-4-5").rates.input == 5_000_000)
        #expect(self.table.price(for: "claude-opus-4").rates.input == 15_000_000)
        #expect(self.table.knownPrice(for: "claude-opus-4-9") == nil)
    }

    @Test(arguments: ["claude-nonesuch-9", "gpt-5", ""])
    func unknownModelsPayTheFallbackFiveAndTwentyFive(model: String) {
        #expect(self.table.knownPrice(for: model) == nil)
        let rates = self.table.rates(for: model, totalInputTokens: 10)
        #expect(
            rates
                == TokenRates(
                    input: 5_000_000,
                    cacheWrite5m: 6_250_000,
                    cacheWrite1h: 10_000_000,
                    cacheRead: 500_000,
                    output: 25_000_000
                )
        )
    }

    @Test func aReportWithNoModelUsesTheRequestModelThenTheFallback() {
        let report = UsageReport(usage: TokenUsage(inputTokens: 1_000_000))
        #expect(self.table.cost(of: report) == 5 * Money.picoDollarsPerDollar)
        #expect(self.table.cost(of: report, requestModel: "claude-haiku-4-5") == 1 * Money.picoDollarsPerDollar)
    }

    @Test func theExampleStreamCostsSixPointFourThousandthsOfADollar() {
        let report = SSEFixtures.report(SSEFixtures.exampleStream)
        // Sonnet 4.6: 17 × 3e6 + 67 × 3.75e6 + 15622 × 3e5 + 96 × 15e6 p$.
        #expect(self.table.cost(of: report) == 51_000_000 + 251_250_000 + 4_686_600_000 + 1_440_000_000)
        #expect(Money.usdString(self.table.cost(of: report)) == "0.00642885")
    }

    @Test func cacheReadsAreNotBilledAsInput() {
        let reads = self.table.tokenCost(TokenUsage(cacheReadTokens: 1_000_000), model: "claude-sonnet-4-6")
        let input = self.table.tokenCost(TokenUsage(inputTokens: 1_000_000), model: "claude-sonnet-4-6")
        #expect(reads * 10 == input)
    }

    @Test(arguments: [false, true])
    func sonnet46AtAMillionTokensOfInputPaysTheStandardThreeDollars(longContextBeta: Bool) {
        let usage = TokenUsage(inputTokens: 1_000_000)
        #expect(
            self.table.rates(
                for: "claude-sonnet-4-6[1m]",
                totalInputTokens: 1_000_000,
                longContextBeta: longContextBeta
            ).input == 3_000_000
        )
        #expect(
            self.table.tokenCost(usage, model: "claude-sonnet-4-6", longContextBeta: longContextBeta)
                == 3_000_000_000_000
        )
    }

    @Test(arguments: [
        (200_000, true, Int64(3_000_000), Int64(15_000_000)),
        (200_001, true, Int64(6_000_000), Int64(22_500_000)),
        (200_001, false, Int64(3_000_000), Int64(15_000_000)),
    ])
    func sonnet45AboveTwoHundredThousandWithTheBetaPaysTheLongContextRates(
        totalInput: Int64,
        longContextBeta: Bool,
        input: Int64,
        output: Int64
    ) {
        let rates = self.table.rates(
            for: "claude-sonnet-4-5",
            totalInputTokens: totalInput,
            longContextBeta: longContextBeta
        )
        #expect(rates.input == input && rates.output == output)
    }

    @Test func sonnet45LongContextBandRepricesEveryCategory() {
        let rates = self.table.rates(for: "claude-sonnet-4-20250514", totalInputTokens: 500_000, longContextBeta: true)
        #expect(
            rates
                == TokenRates(
                    input: 6_000_000,
                    cacheWrite5m: 7_500_000,
                    cacheWrite1h: 12_000_000,
                    cacheRead: 600_000,
                    output: 22_500_000
                )
        )
    }

    @Test func haiku55AboveOneHundredThousandPaysFiveTimesOnEveryToken() {
        let small = TokenUsage(inputTokens: 40_000, cacheReadTokens: 60_000, outputTokens: 1000)
        let large = TokenUsage(inputTokens: 40_001, cacheReadTokens: 60_000, outputTokens: 1000)
        #expect(
            self.table.tokenCost(small, model: "claude-haiku-5-5") == 40_000 * 100_000 + 60_000 * 10_000 + 1000
                * 500_000
        )
        #expect(
            self.table.tokenCost(large, model: "claude-haiku-5-5") == 40_001 * 500_000 + 60_000 * 50_000 + 1000
                * 2_500_000
        )
    }

    @Test func haiku55BandIsDecidedPerIteration() {
        let iterations = [
            IterationUsage(type: "message", usage: TokenUsage(inputTokens: 90_000, outputTokens: 10)),
            IterationUsage(type: "message", usage: TokenUsage(inputTokens: 90_000, outputTokens: 10)),
        ]
        let report = UsageReport(
            model: "claude-haiku-5-5",
            usage: TokenUsage(inputTokens: 180_000, outputTokens: 20),
            iterations: iterations
        )
        #expect(self.table.cost(of: report) == 2 * (90_000 * 100_000 + 10 * 500_000))
    }

    @Test(arguments: [
        ("claude-opus-4-6", "us", Int64(5_500_000)),
        ("claude-opus-4-8", "us", Int64(5_500_000)),
        ("claude-opus-5-5", "us", Int64(4_400_000)),
        ("claude-opus-4-6", "global", Int64(5_000_000)),
        ("claude-opus-4-5", "us", Int64(5_000_000)),
        ("claude-sonnet-4-6", "us", Int64(3_000_000)),
    ])
    func usOnlyInferenceCostsOnePointOneTimesForOpus46AndNewer(model: String, geo: String, input: Int64) {
        #expect(self.table.rates(for: model, totalInputTokens: 10, inferenceGeo: geo).input == input)
    }

    @Test func usOnlyInferenceScalesEveryTokenCategoryExactly() {
        let report = UsageReport(
            model: "claude-opus-4-6",
            usage: TokenUsage(
                inputTokens: 1,
                cacheCreation5mTokens: 1,
                cacheCreation1hTokens: 1,
                cacheReadTokens: 1,
                outputTokens: 1,
                webSearchRequests: 1
            ),
            inferenceGeo: "us"
        )
        let tokens: Int64 = 5_500_000 + 6_875_000 + 11_000_000 + 550_000 + 27_500_000
        #expect(self.table.cost(of: report) == tokens + 10_000_000_000)  // web search is not scaled
    }

    @Test func batchHalvesTheTokenRates() {
        let report = UsageReport(
            model: "claude-haiku-4-5",
            usage: TokenUsage(inputTokens: 1000, outputTokens: 1000),
            serviceTier: "batch"
        )
        #expect(self.table.cost(of: report) == 1000 * 500_000 + 1000 * 2_500_000)
    }

    @Test func eachWebSearchCostsOneCent() {
        let report = UsageReport(model: "claude-sonnet-4-6", usage: TokenUsage(webSearchRequests: 3))
        #expect(self.table.cost(of: report) == 3 * 10_000_000_000)
        #expect(Money.usdString(self.table.cost(of: report)) == "0.03")
    }

    @Test func absurdTokenCountsSaturateInsteadOfTrapping() {
        let report = UsageReport(
            model: "claude-opus-4-1",
            usage: TokenUsage(inputTokens: .max / 2, outputTokens: .max / 2)
        )
        #expect(self.table.cost(of: report) == .max)
    }

    @Test func theTableSurvivesAJSONRoundTrip() throws {
        let data = try JSONEncoder().encode(self.table)
        let decoded = try JSONDecoder().decode(PricingTable.self, from: data)
        #expect(decoded == self.table)
        #expect(decoded.price(for: "claude-haiku-4-5-20251001").name == "Claude Haiku 4.5")
    }
}
