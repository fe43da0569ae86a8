import ArgumentParser
import Foundation
import Shared

/// `goosey keys list | issue | suspend | reinstate | revoke | rotate`.
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "List, issue, suspend, reinstate, revoke or rotate students' keys.",
        subcommands: [List.self, Issue.self, Suspend.self, Reinstate.self, Revoke.self, Rotate.self],
        defaultSubcommand: List.self
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every student's keys, by key ID and state.")
        @OptionGroup var options: StaffOptions

        func run() async throws {
            let course = try self.options.courseID()
            let answer = try await self.options.client().get("/admin/v1/courses/\(course)/students") as? [String: Any] ?? [:]
            print(["STUDENT", "KEY ID", "STATE"].joined(separator: "\t"))
            for student in answer["students"] as? [[String: Any]] ?? [] {
                for key in student["keys"] as? [[String: Any]] ?? [] {
                    print([student["id"] as? String ?? "", key["keyID"] as? String ?? "", key["state"] as? String ?? ""].joined(separator: "\t"))
                }
            }
        }
    }

    struct Issue: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Issue a key for a student (printed once).")
        @OptionGroup var options: StaffOptions
        @Option(help: "The student.") var student: String
        @Option(help: "Why (kept in the audit log).") var reason = "goosey keys issue"

        func run() async throws {
            let course = try self.options.courseID()
            let answer = try await self.options.client().post(
                "/admin/v1/courses/\(course)/students/\(self.student)/keys", ["reason": self.reason]
            ) as? [String: Any] ?? [:]
            print(answer["key"] as? String ?? "")
        }
    }

    struct Suspend: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Suspend a key (every edge refuses it within a second).")
        @OptionGroup var change: KeyChange
        func run() async throws { try await self.change.run("suspend") }
    }

    struct Reinstate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Make a suspended key work again.")
        @OptionGroup var change: KeyChange
        func run() async throws { try await self.change.run("reinstate") }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a key for good.")
        @OptionGroup var change: KeyChange
        func run() async throws { try await self.change.run("revoke") }
    }

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a key and issue the student a new one (printed once).")
        @OptionGroup var change: KeyChange
        func run() async throws { try await self.change.run("rotate") }
    }
}

/// What changing a key takes: which key, and why.
struct KeyChange: ParsableArguments {
    @OptionGroup var options: StaffOptions
    @Argument(help: "The key ID (12 hex digits, from `goosey keys list`).") var keyID: String
    @Option(help: "Why (kept in the audit log).") var reason: String

    func validate() throws {
        // Checked here, before the key would travel in a URL to the coordinator.
        if let problem = VirtualKey.problem(withKeyID: self.keyID) { throw ValidationError("key ID: \(problem)") }
    }

    func run(_ action: String) async throws {
        let course = try self.options.courseID()
        let answer = try await self.options.client().post(
            "/admin/v1/courses/\(course)/keys/\(self.keyID)/\(action)", ["reason": self.reason]
        ) as? [String: Any] ?? [:]
        if let key = answer["key"] as? String {
            print("key \(self.keyID) revoked; the student's new key (shown once):")
            print(key)
        } else {
            print("key \(self.keyID): \(answer["state"] as? String ?? "?")")
        }
    }
}
