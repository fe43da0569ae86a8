import ArgumentParser
import Foundation

/// `goosey courses list | create`, `goosey tokens create`, `goosey students list | show`, `goosey audit`.
struct CoursesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "courses", abstract: "The courses this token sees; university admins create them.", subcommands: [List.self, Create.self],
        defaultSubcommand: List.self
    )

    struct List: AsyncParsableCommand {
        @OptionGroup var options: StaffOptions
        func run() async throws {
            let answer = try await self.options.client().get("/admin/v1/courses") as? [String: Any] ?? [:]
            for course in answer["courses"] as? [[String: Any]] ?? [] {
                print([course["id"], course["name"], course["timeZone"]].map { $0 as? String ?? "" }.joined(separator: "\t"))
            }
        }
    }

    struct Create: AsyncParsableCommand {
        @OptionGroup var options: StaffOptions
        @Argument(help: "The course id, e.g. COMP4020-2026-S2.") var id: String
        @Option(help: "Its name.") var name = ""
        @Option(help: "Its time zone, e.g. Australia/Sydney.") var timezone = "UTC"
        @Option(help: "Why (kept in the audit log).") var reason = "goosey courses create"
        func run() async throws {
            _ = try await self.options.client().put("/admin/v1/courses/\(self.id)", ["name": self.name, "timeZone": self.timezone, "reason": self.reason])
            print("course \(self.id) saved")
        }
    }
}

struct TokensCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokens", abstract: "Create, list and revoke admin tokens (university admins).", subcommands: [Create.self, List.self, Revoke.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every admin token: id, name, role, courses, revoked or not.")
        @OptionGroup var options: StaffOptions
        func run() async throws {
            let answer = try await self.options.client().get("/admin/v1/tokens") as? [String: Any] ?? [:]
            print("ID\tNAME\tROLE\tCOURSES\tCREATED\tREVOKED")
            for token in answer["tokens"] as? [[String: Any]] ?? [] {
                let courses = (token["courses"] as? [String] ?? []).joined(separator: ",")
                print("\(token["id"] ?? "")\t\(token["name"] ?? "")\t\(token["role"] ?? "")\t\(courses)\t\(token["createdAt"] ?? "")\t\(token["revokedAt"] as? String ?? "-")")
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a token for good (it and its dashboard sessions stop working at once).")
        @OptionGroup var options: StaffOptions
        @Argument(help: "The token's id (goosey tokens list).") var id: Int64
        @Option(help: "Why (kept in the audit log).") var reason: String
        func run() async throws {
            _ = try await self.options.client().post("/admin/v1/tokens/\(self.id)/revoke", ["reason": self.reason])
            print("admin token \(self.id) revoked")
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a token and print it once.")
        @OptionGroup var options: StaffOptions
        @Option(help: "Whose token it is.") var name: String
        @Option(help: "staff (the --grant-course ones) or admin (all courses).") var role: AdminPrincipal.Role = .staff
        @Option(name: .customLong("grant-course"), help: "A course a staff token may see (repeatable).") var courses: [String] = []
        func run() async throws {
            let answer = try await self.options.client().post(
                "/admin/v1/tokens", ["name": self.name, "role": self.role.rawValue, "courses": self.courses]
            ) as? [String: Any] ?? [:]
            print(answer["token"] as? String ?? "")
        }
    }
}

struct StudentsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "students", abstract: "The course's students, or one in detail.", subcommands: [List.self, Show.self], defaultSubcommand: List.self
    )

    struct List: AsyncParsableCommand {
        @OptionGroup var options: StaffOptions
        func run() async throws {
            let course = try self.options.courseID()
            let answer = try await self.options.client().get("/admin/v1/courses/\(course)/students") as? [String: Any] ?? [:]
            print(["ID", "NAME", "EMAIL", "GROUP", "CONSENT", "KEYS"].joined(separator: "\t"))
            for student in answer["students"] as? [[String: Any]] ?? [] { print(Self.line(student)) }
        }

        static func line(_ student: [String: Any]) -> String {
            let keys = (student["keys"] as? [[String: Any]] ?? []).map { "\($0["keyID"] ?? "") \($0["state"] ?? "")" }.joined(separator: ", ")
            return [
                student["id"] as? String ?? "", student["name"] as? String ?? "", student["email"] as? String ?? "",
                student["group"] as? String ?? "", (student["researchConsent"] as? Bool ?? false) ? "yes" : "no", keys,
            ].map { $0.replacingOccurrences(of: "\n", with: " ") }.joined(separator: "\t")
        }
    }

    struct Show: AsyncParsableCommand {
        @OptionGroup var options: StaffOptions
        @Argument(help: "The student's id.") var id: String
        func run() async throws {
            let course = try self.options.courseID()
            let answer = try await self.options.client().get("/admin/v1/courses/\(course)/students/\(self.id)") as? [String: Any] ?? [:]
            print(List.line(answer["student"] as? [String: Any] ?? [:]))
            if let balance = answer["balance"] as? [String: String] {
                print("this period: \(balance["used"] ?? "?") used of \(balance["total"] ?? "?"), \(balance["remaining"] ?? "?") left; resets \(balance["resets"] ?? "?")")
            }
            for session in answer["sessions"] as? [[String: Any]] ?? [] {
                print("session \(session["id"] ?? ""): \(session["requests"] ?? 0) requests, last \(session["lastAt"] ?? "")")
            }
        }
    }
}

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "audit", abstract: "The course's audit log, newest first.")
    @OptionGroup var options: StaffOptions
    @Option(help: "From this day (YYYY-MM-DD).") var since: String?
    @Option(help: "At most this many events.") var limit = 100
    func run() async throws {
        let course = try self.options.courseID()
        var path = "/admin/v1/courses/\(course)/audit?limit=\(self.limit)"
        if let since { path += "&since=\(since)" }
        let answer = try await self.options.client().get(path) as? [String: Any] ?? [:]
        for event in answer["events"] as? [[String: Any]] ?? [] {
            print([event["at"], event["actor"], event["action"], event["target"], event["reason"]].map { $0 as? String ?? "" }.joined(separator: "\t"))
        }
    }
}
