import Foundation
import Testing

@testable import Coordinator

struct UsageLineTests {
    static func line(_ key: String, group: String, requests: Int, usd: String, refusedAt: String? = nil) -> UsageLine {
        var json: [String: Any] = [
            "key": key, "group": group, "requests": requests, "refusals": refusedAt == nil ? 0 : 1, "inputTokens": 10,
            "cacheWrite5mTokens": 1, "cacheWrite1hTokens": 2, "cacheReadTokens": 3, "outputTokens": 4, "charged": 500, "usd": usd,
        ]
        json["firstRefusalAt"] = refusedAt
        return UsageLine(json)
    }

    @Test func aGroupSumsItsStudentsExactlyToThePicoDollar() throws {
        let lines = [
            Self.line("a1", group: "studio-a", requests: 2, usd: "0.000000000001", refusedAt: "2026-03-04T10:00:00Z"),
            Self.line("a2", group: "studio-a", requests: 3, usd: "1.25", refusedAt: "2026-03-02T09:00:00Z"),
            Self.line("b1", group: "studio-b", requests: 1, usd: "0.5"),
        ]
        let groups = UsageLine.grouped(lines, by: .group, course: "C")
        #expect(groups.map(\.name) == ["studio-a", "studio-b"])
        let studioA = try #require(groups.first)
        #expect(studioA.requests == 5 && studioA.refusals == 2 && studioA.totals.cacheWrite1h == 4 && studioA.charged == 1_000)
        #expect(studioA.usd == "1.250000000001")
        #expect(studioA.firstRefusalAt == "2026-03-02T09:00:00Z", "the earliest refusal of the group")
        #expect(UsageLine.grouped(lines, by: .course, course: "C").first?.requests == 6)
    }

    @Test func jsonOutputKeepsTheAdminAPIsNames() throws {
        let data = try JSONEncoder().encode(Self.line("a1", group: "g", requests: 2, usd: "0.5"))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(Set(object.keys) == [
            "name", "group", "requests", "refusals", "inputTokens", "cacheWrite5mTokens", "cacheWrite1hTokens", "cacheReadTokens",
            "outputTokens", "charged", "usd",
        ])
        #expect(object["usd"] as? String == "0.50" && object["cacheReadTokens"] as? Int == 3)
    }
}
