import ArgumentParser
import Foundation
import Shared

/// `goosey admin-token create`: makes an admin API token, straight in Postgres (how the first admin gets one).
struct AdminTokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "admin-token",
        abstract: "Create admin API tokens (run where the coordinator's Postgres is reachable).",
        subcommands: [Create.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a token and print it once; Postgres keeps only its SHA-256.",
            discussion: "A staff token sees only the courses given with --course (each is created if new)."
        )

        @OptionGroup var options: DatabaseOptions
        @Option(help: "Whose token it is (shown in the audit log).") var name: String
        @Option(help: "admin (every course) or staff (the --course ones).") var role: AdminPrincipal.Role = .staff
        @Option(name: .customLong("course"), help: "A course a staff token may see (repeatable).") var courses: [String] = []

        func validate() throws {
            if self.role == .staff && self.courses.isEmpty { throw ValidationError("a staff token needs at least one --course") }
            if self.role == .admin && !self.courses.isEmpty { throw ValidationError("an admin token sees every course; leave out --course") }
            for course in self.courses where !StudentRef.isValidID(course) { throw ValidationError("`\(course)` is not a valid course id") }
            if self.name.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--name must not be empty") }
        }

        func run() async throws {
            let token = try await self.options.postgres().withConnection { connection in
                try await AdminToken.create(
                    name: self.name, role: self.role, courses: self.courses,
                    actor: "cli:" + (ProcessInfo.processInfo.environment["USER"] ?? "unknown"), on: connection
                )
            }
            print(token)
        }
    }
}

extension AdminPrincipal.Role: ExpressibleByArgument {}
