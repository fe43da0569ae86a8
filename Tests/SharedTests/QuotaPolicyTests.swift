import Foundation
import Shared
import Testing

@Suite struct QuotaPolicyTests {
    static let weekly = try! PeriodSpec(period: "7d", anchor: "mon 00:00", timeZone: "Australia/Sydney")

    static func policy(
        limit: Int64 = 500_000_000,
        unit: QuotaUnit = .standardTokens,
        carryOver: CarryOver = .none,
        overspend: OverspendRule = .forgive,
        failMode: FailMode = .open,
        emergencyCapPerEdge: Int64? = nil,
        reserve: CourseReserve? = nil
    ) -> QuotaPolicy {
        QuotaPolicy(
            limit: limit,
            unit: unit,
            period: Self.weekly,
            carryOver: carryOver,
            overspend: overspend,
            failMode: failMode,
            emergencyCapPerEdge: emergencyCapPerEdge,
            reserve: reserve
        )
    }

    /// Input, 5-minute write, 1-hour write, read, output, in thousandths.
    static func weights(_ input: Int64, _ write5m: Int64, _ write1h: Int64, _ read: Int64, _ output: Int64)
        -> TokenWeights
    {
        TokenWeights(
            inputMilli: input,
            cacheWrite5mMilli: write5m,
            cacheWrite1hMilli: write1h,
            cacheReadMilli: read,
            outputMilli: output
        )
    }

    @Test func theJSONIsStableAndReadableFromLua() throws {
        let policy = Self.policy(carryOver: .capped(100_000_000))
        let json = String(decoding: try policy.jsonData(), as: UTF8.self)
        let expected =
            #"{"carryOver":{"amount":100000000,"kind":"capped"},"emergencyCapPerEdge":25000000,"failMode":"open","#
            + #""limit":500000000,"overspend":"forgive","#
            + #""period":{"anchor":"mon 00:00","length":"7d","timeZone":"Australia/Sydney"},"#
            + #""unit":{"kind":"tokens","weights":{"cacheReadMilli":100,"cacheWrite1hMilli":2000,"#
            + #""cacheWrite5mMilli":1250,"inputMilli":1000,"outputMilli":5000}}}"#
        #expect(json == expected)
    }

    @Test(arguments: [
        policy(),
        policy(unit: .usd, carryOver: .all, overspend: .deductFromNext, failMode: .closed),
        policy(carryOver: .cappedPercent(50), emergencyCapPerEdge: 0),
        policy(limit: 0, unit: .tokens(weights(1, 2, 3, 4, 5))),
        policy(limit: QuotaAmount.maximum, carryOver: .capped(QuotaAmount.maximum)),
        policy(reserve: CourseReserve(total: 2_000_000_000, capPerStudent: 100_000_000)),
    ])
    func policiesRoundTripThroughJSON(policy: QuotaPolicy) throws {
        let data = try policy.jsonData()
        #expect(try QuotaPolicy(jsonData: data) == policy)
        #expect(try JSONDecoder().decode(QuotaPolicy.self, from: JSONEncoder().encode(policy)) == policy)
        #expect(try policy.jsonData() == data)
    }

    @Test func olderRecordsWithoutTheNewerFieldsTakeTheDefaults() throws {
        let json = #"{"limit":1000000,"unit":{"kind":"usd"},"period":{"length":"1mo"}}"#
        let policy = try QuotaPolicy(jsonData: Data(json.utf8))
        #expect(policy.carryOver == .none)
        #expect(policy.overspend == .forgive)
        #expect(policy.failMode == .open)
        #expect(policy.emergencyCapPerEdge == 50_000)
        #expect(policy.reserve == nil)
        #expect(policy.period == (try PeriodSpec(length: .months(1))))
    }

    @Test(arguments: [
        #"{"limit":-1,"unit":{"kind":"usd"},"period":{"length":"7d"}}"#,
        #"{"limit":1125899906842625,"unit":{"kind":"usd"},"period":{"length":"7d"}}"#,
        #"{"limit":1000,"unit":{"kind":"usd"},"period":{"length":"1d"},"#
            + #""carryOver":{"kind":"cappedPercent","percent":150}}"#,
        #"{"limit":1000,"unit":{"kind":"usd"},"period":{"length":"1d"},"reserve":{"total":-5,"capPerStudent":1}}"#,
        #"{"limit":1000,"unit":{"kind":"usd"},"period":{"length":"7d"},"carryOver":{"kind":"capped","amount":-5}}"#,
        #"{"limit":1000,"unit":{"kind":"usd"},"period":{"length":"7d"},"carryOver":{"kind":"capped"}}"#,
        #"{"limit":1000,"unit":{"kind":"usd"},"period":{"length":"7d"},"carryOver":{"kind":"some"}}"#,
        #"{"limit":1000,"unit":{"kind":"euro"},"period":{"length":"7d"}}"#,
        #"{"limit":1000,"unit":{"kind":"usd"},"period":{"length":"7d"},"overspend":"ignore"}"#,
        #"{"limit":1000,"unit":{"kind":"usd"},"period":{"length":"7d","anchor":"1 00:00"}}"#,
        #"{"limit":1000,"unit":{"kind":"usd"}}"#,
    ])
    func storedPoliciesThatBreakARuleDoNotLoad(json: String) {
        #expect(throws: DecodingError.self) { try QuotaPolicy(jsonData: Data(json.utf8)) }
    }

    @Test(arguments: [
        (policy(limit: -1), "limit"),
        (policy(limit: QuotaAmount.maximum + 1), "limit"),
        (policy(emergencyCapPerEdge: -1), "emergencyCapPerEdge"),
        (policy(carryOver: .capped(QuotaAmount.maximum + 1)), "carry-over cap"),
        (policy(carryOver: .cappedPercent(101)), "percentage"),
        (policy(carryOver: .cappedPercent(-1)), "percentage"),
        (policy(unit: .tokens(weights(-1, 0, 0, 0, 0))), "weights"),
        (policy(unit: .tokens(weights(0, 0, 0, 0, 1_000_001))), "weights"),
    ])
    func validationNamesTheFieldAtFault(policy: QuotaPolicy, field: String) {
        #expect {
            try policy.validate()
        } throws: { error in
            (error as? QuotaInputError)?.kind == "invalid_policy" && "\(error)".contains(field)
        }
    }

    @Test(arguments: [(Int64(500_000_000), Int64(25_000_000)), (21, 2), (20, 1), (1, 1), (0, 0)])
    func theEmergencyCapDefaultsToFivePercentRoundedUp(limit: Int64, cap: Int64) {
        #expect(Self.policy(limit: limit).emergencyCapPerEdge == cap)
        #expect(Self.policy(limit: limit, emergencyCapPerEdge: 7).emergencyCapPerEdge == 7)
    }

    @Test func tokenPoliciesChargeWeightedMilliTokens() {
        let usage = TokenUsage(inputTokens: 1000, cacheCreation5mTokens: 100, cacheReadTokens: 10_000, outputTokens: 7)
        #expect(Self.policy().charge(for: usage, cost: 123) == WeightedTokens(usage).milliTokens)
        #expect(Self.policy().charge(for: usage, cost: 123) == 1_000_000 + 125_000 + 1_000_000 + 35_000)
        let flat = Self.weights(1000, 1000, 1000, 1000, 1000)
        #expect(Self.policy(unit: .tokens(flat)).charge(for: usage, cost: 123) == 11_107_000)
    }

    @Test func dollarPoliciesChargeTheCost() {
        let usage = TokenUsage(inputTokens: 1000, outputTokens: 7)
        #expect(Self.policy(unit: .usd).charge(for: usage, cost: 3_105_000_000) == 3_105_000_000)
    }

    @Test func aReportIsChargedForItsIterations() {
        let report = UsageReport(
            usage: TokenUsage(outputTokens: 1),
            iterations: [IterationUsage(type: "message", usage: TokenUsage(outputTokens: 10))]
        )
        #expect(Self.policy().charge(for: report, cost: 0) == 50_000)
    }

    @Test func unitsKnowTheirAmountKind() {
        #expect(QuotaUnit.usd.kind == .usd)
        #expect(QuotaUnit.standardTokens.kind == .tokens)
    }
}
