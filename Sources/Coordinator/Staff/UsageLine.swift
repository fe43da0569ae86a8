import Foundation
import Shared

/// One line of a usage report: a student, a group or the course, with its totals summed as the dashboard sums them.
struct UsageLine: Encodable {
    var name: String
    var group: String?
    var totals = UsageTotals()
    /// When the allowance first ran out (a 429), if it did.
    var firstRefusalAt: String?

    var requests: Int64 { self.totals.requests }
    var refusals: Int64 { self.totals.refusals }
    /// In the policy's unit: milli-tokens (weighted) or pico-dollars.
    var charged: Int64 { self.totals.charged }
    var usd: String { Money.usdString(self.totals.costPicoUSD) }

    init(name: String, group: String? = nil) {
        self.name = name
        self.group = group
    }

    /// A line of the admin API's usage answer.
    init(_ json: [String: Any]) {
        let number = { (key: String) in (json[key] as? NSNumber)?.int64Value ?? 0 }
        self.init(name: json["key"] as? String ?? "", group: json["group"] as? String)
        self.firstRefusalAt = json["firstRefusalAt"] as? String
        self.totals = UsageTotals(
            requests: number("requests"), refusals: number("refusals"), input: number("inputTokens"),
            cacheWrite5m: number("cacheWrite5mTokens"), cacheWrite1h: number("cacheWrite1hTokens"), cacheRead: number("cacheReadTokens"),
            output: number("outputTokens"), charged: number("charged"), costPicoUSD: Money.picoDollars(usd: json["usd"] as? String ?? "0") ?? 0
        )
    }

    static func grouped(_ lines: [UsageLine], by grouping: UsageCommand.Grouping, course: String) -> [UsageLine] {
        guard grouping == .group || grouping == .course else { return lines }
        var totals: [String: UsageLine] = [:]
        for line in lines {
            let name = grouping == .course ? course : line.group ?? "(no group)"
            var total = totals[name] ?? UsageLine(name: name)
            total.add(line)
            totals[name] = total
        }
        return totals.values.sorted { $0.name < $1.name }
    }

    mutating func add(_ other: UsageLine) {
        self.totals.add(other.totals)
        if let other = other.firstRefusalAt, self.firstRefusalAt.map({ other < $0 }) ?? true { self.firstRefusalAt = other }
    }

    enum CodingKeys: String, CodingKey {
        case name, group, requests, refusals, inputTokens, cacheWrite5mTokens, cacheWrite1hTokens, cacheReadTokens, outputTokens, charged, usd
        case firstRefusalAt
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.name, forKey: .name)
        try container.encodeIfPresent(self.group, forKey: .group)
        try container.encode(self.totals.requests, forKey: .requests)
        try container.encode(self.totals.refusals, forKey: .refusals)
        try container.encode(self.totals.input, forKey: .inputTokens)
        try container.encode(self.totals.cacheWrite5m, forKey: .cacheWrite5mTokens)
        try container.encode(self.totals.cacheWrite1h, forKey: .cacheWrite1hTokens)
        try container.encode(self.totals.cacheRead, forKey: .cacheReadTokens)
        try container.encode(self.totals.output, forKey: .outputTokens)
        try container.encode(self.totals.charged, forKey: .charged)
        try container.encode(self.usd, forKey: .usd)
        try container.encodeIfPresent(self.firstRefusalAt, forKey: .firstRefusalAt)
    }

    static let csvHeader = "name,group,requests,refusals,first_refusal_at,input_tokens,cache_write_5m_tokens,cache_write_1h_tokens,cache_read_tokens,output_tokens,charged,usd"

    var csv: String {
        [
            KeyFile.quoted(self.name), KeyFile.quoted(self.group ?? ""), String(self.requests), String(self.refusals),
            self.firstRefusalAt ?? "", String(self.totals.input), String(self.totals.cacheWrite5m), String(self.totals.cacheWrite1h),
            String(self.totals.cacheRead), String(self.totals.output), String(self.charged), self.usd,
        ].joined(separator: ",")
    }

    /// Aligned columns with readable numbers: 500k, 1.2M, $3.40; with `allowance` (one period's, in the
    /// policy's unit), each line's share of it.
    static func table(_ lines: [UsageLine], by grouping: UsageCommand.Grouping, unit: QuotaAmount.Kind, allowance: Int64? = nil) -> String {
        var header = [grouping.rawValue.uppercased(), "GROUP", "REQUESTS", "REFUSED", "INPUT", "CACHE WRITE", "CACHE READ", "OUTPUT", "CHARGED", "USD"]
        if allowance != nil { header.append("SHARE") }
        let rows = lines.map { line in
            var cells = [
                line.name, line.group ?? "", String(line.requests), String(line.refusals), DashboardFormat.tokens(line.totals.input),
                DashboardFormat.tokens(line.totals.cacheWrite5m + line.totals.cacheWrite1h), DashboardFormat.tokens(line.totals.cacheRead),
                DashboardFormat.tokens(line.totals.output), QuotaAmount(kind: unit, value: line.charged).description, "$" + Self.cents(line.usd),
            ]
            if let allowance, allowance > 0 { cells.append(String(line.charged * 100 / allowance) + "%") }
            return cells
        }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        let render = { (cells: [String]) in
            cells.enumerated().map { index, cell in
                index < 2 ? cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[index] - cell.count) + cell
            }.joined(separator: "  ")
        }
        return ([render(header)] + rows.map(render)).joined(separator: "\n")
    }

    private static func cents(_ usd: String) -> String {
        String(format: "%.2f", Double(usd) ?? 0)
    }
}
