import ArgumentParser
import Foundation
import Shared

/// `goosey quota show | set | grant`: the course's allowance, per-student overrides, and grants.
struct QuotaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quota",
        abstract: "Show or set the course's allowance, or grant a student more for this period.",
        subcommands: [Show.self, Set.self, Grant.self]
    )

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The course policy, overrides, and the current period with its reset.")
        @OptionGroup var options: StaffOptions

        func run() async throws {
            let course = try self.options.courseID()
            let answer = try await self.options.client().get("/admin/v1/courses/\(course)/policy") as? [String: Any] ?? [:]
            let policy = try QuotaPolicy(jsonData: JSONSerialization.data(withJSONObject: answer["policy"] ?? [:]))
            print("course \(course)")
            print(Self.describe(policy, now: Date()))
            let overrides = answer["overrides"] as? [String: Any] ?? [:]
            for (student, value) in overrides.sorted(by: { $0.key < $1.key }) {
                let override = try QuotaPolicy(jsonData: JSONSerialization.data(withJSONObject: value))
                print("override for \(student): \(QuotaAmount(kind: override.unit.kind, value: override.limit)) per period (\(override.period))")
            }
        }

        static func describe(_ policy: QuotaPolicy, now: Date) -> String {
            let window = policy.period.window(containing: now)
            let carry = switch policy.carryOver {
            case .none: "none"
            case .all: "all"
            case .capped(let amount): "up to \(QuotaAmount(kind: policy.unit.kind, value: amount))"
            case .cappedPercent(let percent): "up to \(percent)% of the allowance"
            }
            let formatter = ISO8601DateFormatter()
            formatter.timeZone = TimeZone(identifier: policy.period.timeZoneIdentifier)
            return """
                allowance: \(QuotaAmount(kind: policy.unit.kind, value: policy.limit)) per period (\(policy.period))
                carry-over: \(carry)
                current period: from \(formatter.string(from: window.start)); resets \(formatter.string(from: window.end))
                """
        }
    }

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set the course's allowance, or one student's (--student).")
        @OptionGroup var options: StaffOptions
        @OptionGroup var allowance: PolicyOptions
        @Option(help: "Only this student (an override of the course's policy).") var student: String?
        @Option(help: "Why (kept in the audit log).") var reason: String?

        func run() async throws {
            let course = try self.options.courseID()
            let policy = try self.allowance.policy()
            var body: [String: Any] = [
                "policy": try JSONSerialization.jsonObject(with: policy.jsonData()),
                "reason": self.reason ?? "goosey quota set",
            ]
            if let student { body["student"] = student }
            _ = try await self.options.client().put("/admin/v1/courses/\(course)/policy", body)
            print((self.student.map { "\($0) in \(course)" } ?? course) + ": " + Show.describe(policy, now: Date()).replacingOccurrences(of: "\n", with: "; "))
        }
    }

    struct Grant: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Give a student more allowance for the current period.")
        @OptionGroup var options: StaffOptions
        @Option(help: "The student.") var student: String
        @Option(help: "How much: 200k, 1.5M (weighted tokens).") var tokens: String?
        @Option(help: "How much, for a course counting dollars: 5usd.") var usd: String?
        @Option(help: "Why (kept in the audit log).") var reason: String

        func validate() throws {
            guard (self.tokens == nil) != (self.usd == nil) else { throw ValidationError("give --tokens or --usd") }
        }

        func run() async throws {
            let course = try self.options.courseID()
            let amount = self.tokens ?? self.usd.map { $0.lowercased().hasSuffix("usd") ? $0 : $0 + "usd" }!
            let answer = try await self.options.client().post(
                "/admin/v1/courses/\(course)/students/\(self.student)/grants", ["amount": amount, "reason": self.reason]
            ) as? [String: Any] ?? [:]
            print("granted \(answer["amount"] ?? amount) to \(self.student); this period: \(answer["remaining"] ?? "?") left of \(answer["total"] ?? "?")")
        }
    }
}
