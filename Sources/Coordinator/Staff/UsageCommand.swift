import ArgumentParser
import Foundation
import Shared

/// `goosey usage`: what the course's students used, as a table to read or CSV / JSON to process.
struct UsageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "usage",
        abstract: "Requests, tokens by class, charge and USD per student, group or the whole course."
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case table, csv, json }
    enum Grouping: String, ExpressibleByArgument, CaseIterable { case student, group, course, day, model }
    enum Period: String, ExpressibleByArgument, CaseIterable { case current, previous, all }

    @OptionGroup var options: StaffOptions
    @Option(help: "Only this student.") var student: String?
    @Option(help: "Only this group.") var group: String?
    @Option(help: "From this day (YYYY-MM-DD, UTC).") var since: String?
    @Option(help: "To this day, included.") var until: String?
    @Option(help: "current | previous | all (the course's periods; ignored with --since/--until).") var period: Period = .all
    @Option(help: "student | group | course | day | model") var by: Grouping = .student
    @Option(help: "table | csv | json") var format: Format = .table
    @Option(help: "Only the N heaviest users.") var top: Int?

    func run() async throws {
        let course = try self.options.courseID()
        var query: [(String, String)] = []
        if let student { query.append(("student", student)) }
        if let group { query.append(("group", group)) }
        if let since { query.append(("since", since)) }
        if let until { query.append(("until", until)) }
        if self.period != .all && self.since == nil && self.until == nil { query.append(("period", self.period.rawValue)) }
        if self.by == .day || self.by == .model { query.append(("by", self.by.rawValue)) }
        let suffix = query.isEmpty ? "" : "?" + query.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? $0.1)" }.joined(separator: "&")
        let client = try self.options.client()
        let answer = try await client.get("/admin/v1/courses/\(course)/usage\(suffix)") as? [String: Any] ?? [:]
        var rows = (answer["usage"] as? [[String: Any]] ?? []).map(UsageLine.init)
        rows = UsageLine.grouped(rows, by: self.by, course: course)
        rows.sort { $0.charged > $1.charged }
        if let top { rows = Array(rows.prefix(top)) }
        switch self.format {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(rows), as: UTF8.self))
        case .csv:
            print(UsageLine.csvHeader)
            for row in rows { print(row.csv) }
        case .table:
            let policy = try? await Self.policy(client, course: course)
            // A share of the allowance means something within one period.
            let allowance = self.by == .student && self.period != .all && self.since == nil && self.until == nil ? policy?.limit : nil
            print(UsageLine.table(rows, by: self.by, unit: policy?.unit.kind ?? .tokens, allowance: allowance))
            let limited = rows.filter { $0.refusals > 0 }
            if self.by == .student && !limited.isEmpty {
                print("\n\(limited.count) student(s) hit their limit: "
                    + limited.map { "\($0.name) (first refused \($0.firstRefusalAt ?? "?"))" }.joined(separator: ", "))
            }
        }
    }

    static func policy(_ client: StaffClient, course: String) async throws -> QuotaPolicy {
        let answer = try await client.get("/admin/v1/courses/\(course)/policy") as? [String: Any] ?? [:]
        return try QuotaPolicy(jsonData: JSONSerialization.data(withJSONObject: answer["policy"] ?? [:]))
    }
}
