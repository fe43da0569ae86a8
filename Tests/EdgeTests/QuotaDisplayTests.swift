import Foundation
import Testing

@testable import Edge

struct QuotaDisplayTests {
    @Test func resetTimesAreWrittenAsFoundationsISO8601() {
        var generator = SystemRandomNumberGenerator()
        let fixed: [TimeInterval] = [0, 951_782_400, 951_868_799.9, 4_107_542_400, 1_795_478_400, 7_258_118_399]
        let random = (0..<2000).map { _ in TimeInterval(Int64.random(in: 0...7_258_118_399, using: &generator)) }
        for seconds in fixed + random {
            let date = Date(timeIntervalSince1970: seconds)
            #expect(QuotaDisplay.rfc3339(date) == date.formatted(.iso8601), "at \(seconds)")
        }
    }

    @Test(arguments: [(0.0, "0.00"), (0.7512, "0.75"), (0.29, "0.28"), (0.999, "0.99"), (1.0, "1.00"), (1.5, "1.50"), (0.05, "0.05")])
    func utilizationIsRoundedDownToHundredths(value: Double, text: String) {
        #expect(QuotaHeaders.fraction(value) == text)
        #expect(QuotaHeaders.fraction(value) == String(format: "%.2f", (value * 100).rounded(.down) / 100))
    }
}
