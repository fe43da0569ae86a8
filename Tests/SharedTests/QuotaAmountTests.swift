import Shared
import Testing

@Suite struct QuotaAmountTests {
    @Test(arguments: [
        ("500k", QuotaAmount.Kind.tokens, Int64(500_000_000)),
        ("2M", .tokens, 2_000_000_000),
        ("1.5M", .tokens, 1_500_000_000),
        ("1.5m", .tokens, 1_500_000_000),
        ("250000", .tokens, 250_000_000),
        ("250_000", .tokens, 250_000_000),
        ("0.5k", .tokens, 500_000),
        ("12.5", .tokens, 12_500),
        ("0.001", .tokens, 1),
        (" 500K tokens ", .tokens, 500_000_000),
        ("0", .tokens, 0),
        ("1125899M", .tokens, 1_125_899_000_000_000),
        ("40usd", .usd, 40_000_000_000_000),
        ("$40", .usd, 40_000_000_000_000),
        ("12.50usd", .usd, 12_500_000_000_000),
        ("12.50 USD", .usd, 12_500_000_000_000),
        ("$ 0.000000000001", .usd, 1),
        ("$1125.899906842624", .usd, 1 << 50),
    ])
    func staffInputParsesToExactUnits(text: String, kind: QuotaAmount.Kind, value: Int64) throws {
        let amount = try QuotaAmount(parsing: text)
        #expect(amount == QuotaAmount(kind: kind, value: value))
    }

    @Test(arguments: [
        ("", "an amount is required"),
        ("   ", "an amount is required"),
        ("abc", "use tokens like"),
        ("k", "use tokens like"),
        ("1.2.3k", "use tokens like"),
        ("1.", "use tokens like"),
        (".5M", "use tokens like"),
        ("5 apples", "use tokens like"),
        ("500kk", "use tokens like"),
        ("-5k", "cannot be negative"),
        ("$-5", "cannot be negative"),
        ("1,5M", "use \".\" for decimals"),
        ("250,000", "use \".\" for decimals"),
        ("0.0001", "a thousandth of a token"),
        ("1.0000001k", "a thousandth of a token"),
        ("$0.0000000000001", "twelve decimal places"),
        ("40eur", "use tokens like"),
    ])
    func badInputIsRefusedNamingTheText(text: String, reason: String) {
        #expect {
            try QuotaAmount(parsing: text)
        } throws: { error in
            guard let error = error as? QuotaInputError, case .invalidAmount = error else { return false }
            return error.description.contains("\"\(text)\"") && error.description.contains(reason)
        }
    }

    @Test(arguments: [
        "1125900M", "2000000000k", "$1125.899906842625", "$1126", "99999999999999999999999", "9223372036854775807",
    ])
    func amountsAbove2ToThe50AreRefusedSoLuaDoublesStayExact(text: String) {
        #expect {
            try QuotaAmount(parsing: text)
        } throws: { error in
            guard case .amountTooLarge(let quoted, _) = error as? QuotaInputError else { return false }
            return quoted == text && "\(error)".contains("the most is")
        }
    }

    @Test func theMaximumIsWellBelowTheLargestExactDouble() {
        #expect(QuotaAmount.maximum * 8 <= 1 << 53)
    }

    @Test(arguments: [
        (QuotaAmount(kind: .tokens, value: 500_000_000), "500k"),
        (QuotaAmount(kind: .tokens, value: 1_500_000_000), "1.5M"),
        (QuotaAmount(kind: .tokens, value: 2_000_000_000), "2M"),
        (QuotaAmount(kind: .tokens, value: 250_500), "250.5"),
        (QuotaAmount(kind: .tokens, value: 1_234_567_000), "1234567"),
        (QuotaAmount(kind: .tokens, value: 250_500_000), "250.5k"),
        (QuotaAmount(kind: .tokens, value: 1_250_000_000), "1.25M"),
        (QuotaAmount(kind: .tokens, value: 0), "0"),
        (QuotaAmount(kind: .usd, value: 40_000_000_000_000), "$40.00"),
        (QuotaAmount(kind: .usd, value: 12_345_000_000), "$0.012345"),
    ])
    func descriptionsReadNaturallyAndParseBack(amount: QuotaAmount, text: String) throws {
        #expect(amount.description == text)
        #expect(try QuotaAmount(parsing: text) == amount)
    }
}
