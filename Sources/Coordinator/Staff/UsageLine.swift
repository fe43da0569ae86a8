import Foundation
import Shared

/// One line of a usage report: a student, a group or the course.
struct UsageLine: Encodable {
    var name: String
    var group: String?
    var requests: Int64 = 0
    var refusals: Int64 = 0
    var inputTokens: Int64 = 0
    var cacheWrite5mTokens: Int64 = 0
    var cacheWrite1hTokens: Int64 = 0
    var cacheReadTokens: Int64 = 0
    var outputTokens: Int64 = 0
    /// In the policy's unit: milli-tokens (weighted) or pico-dollars.
    var charged: Int64 = 0
    var usd: String = "0"
    /// When the allowance first ran out (a 429), if it did.
    var firstRefusalAt: String?

    init(name: String, group: String? = nil) {
        self.name = name
        self.group = group
    }

    init(_ json: [String: Any]) {
        let number = { (key: String) in (json[key] as? NSNumber)?.int64Value ?? 0 }
        self.init(name: json["key"] as? String ?? "", group: json["group"] as? String)
        self.firstRefusalAt = json["firstRefusalAt"] as? String
        (self.requests, self.refusals, self.inputTokens) = (number("requests"), number("refusals"), number("inputTokens"))
        (self.cacheWrite5mTokens, self.cacheWrite1hTokens) = (number("cacheWrite5mTokens"), number("cacheWrite1hTokens"))
        (self.cacheReadTokens, self.outputTokens, self.charged) = (number("cacheReadTokens"), number("outputTokens"), number("charged"))
        self.usd = json["usd"] as? String ?? "0"
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
        self.requests += other.requests
        self.refusals += other.refusals
        self.inputTokens += other.inputTokens
        self.cacheWrite5mTokens += other.cacheWrite5mTokens
        self.cacheWrite1hTokens += other.cacheWrite1hTokens
        self.cacheReadTokens += other.cacheReadTokens
        self.outputTokens += other.outputTokens
        self.charged += other.charged
        let cents = (Money.picoDollars(usd: self.usd) ?? 0) + (Money.picoDollars(usd: other.usd) ?? 0)
        self.usd = Money.usdString(cents)
        if let other = other.firstRefusalAt, self.firstRefusalAt.map({ other < $0 }) ?? true { self.firstRefusalAt = other }
    }

    static let csvHeader = "name,group,requests,refusals,first_refusal_at,input_tokens,cache_write_5m_tokens,cache_write_1h_tokens,cache_read_tokens,output_tokens,charged,usd"

    var csv: String {
        [
            KeyFile.quoted(self.name), KeyFile.quoted(self.group ?? ""), String(self.requests), String(self.refusals),
            self.firstRefusalAt ?? "", String(self.inputTokens), String(self.cacheWrite5mTokens), String(self.cacheWrite1hTokens), String(self.cacheReadTokens),
            String(self.outputTokens), String(self.charged), self.usd,
        ].joined(separator: ",")
    }

    /// Aligned columns with readable numbers: 500k, 1.2M, $3.40; with `allowance` (one period's, in the
    /// policy's unit), each line's share of it.
    static func table(_ lines: [UsageLine], by grouping: UsageCommand.Grouping, unit: QuotaAmount.Kind, allowance: Int64? = nil) -> String {
        var header = [grouping.rawValue.uppercased(), "GROUP", "REQUESTS", "REFUSED", "INPUT", "CACHE WRITE", "CACHE READ", "OUTPUT", "CHARGED", "USD"]
        if allowance != nil { header.append("SHARE") }
        let rows = lines.map { line in
            var cells = [
                line.name, line.group ?? "", String(line.requests), String(line.refusals), DashboardFormat.tokens(line.inputTokens),
                DashboardFormat.tokens(line.cacheWrite5mTokens + line.cacheWrite1hTokens), DashboardFormat.tokens(line.cacheReadTokens),
                DashboardFormat.tokens(line.outputTokens), QuotaAmount(kind: unit, value: line.charged).description, "$" + Self.cents(line.usd),
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
