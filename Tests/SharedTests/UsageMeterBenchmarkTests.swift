import Foundation
import Shared
import Testing

/// Timing, not correctness: runs only with `GOOSEY_BENCH=1`, and means something only in release:
/// `GOOSEY_BENCH=1 swift test -c release --filter UsageMeterBenchmarkTests`.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["GOOSEY_BENCH"] == "1"))
struct UsageMeterBenchmarkTests {
    @Test func readingUsageOffARealisticStream() {
        for result in UsageBenchmark.run(streams: 2000) { print(result) }
    }

    @Test func allThreeReadersAgreeOnTheStream() {
        let chunks = UsageBenchmark.networkChunks(UsageBenchmark.realisticStream())
        let report = SSEFixtures.report(chunks)
        #expect(report.complete && report.usage.outputTokens == 1296)
        #expect(UsageBenchmark.withJSONDecoder(chunks) == UsageBenchmark.withJSONSerialization(chunks))
    }
}
