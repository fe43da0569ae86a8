import ArgumentParser
import Foundation
import Logging
import Shared

/// `goosey seed`: writes a course policy and one student's key straight into Redis, for a local run or a
/// test. Course staff will provision through the coordinator (`goosey sync`, `goosey keys`) instead.
struct SeedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seed",
        abstract: "Write a course policy and a student key into Redis (local runs and tests).",
        discussion: "Prints the new key once on standard output; only its SHA-256 is stored."
    )

    @Option(help: "Redis URL (default: $REDIS_URL or redis://127.0.0.1:6379).")
    var redis: String?

    @Option(help: "The course id, e.g. COMP4020-2026-S2.")
    var course: String

    @Option(help: "The student id.")
    var student: String

    @OptionGroup var allowance: PolicyOptions

    func run() async throws {
        let policy = try self.allowance.policy()
        let url = self.redis ?? ProcessInfo.processInfo.environment["REDIS_URL"] ?? "redis://127.0.0.1:6379"
        let pool = RedisPool(.init(endpoint: try RedisEndpoint(url: url)), logger: Logger(label: "goosey-seed"))
        let directory = Directory(pool: pool)
        let student = StudentRef(course: self.course, student: self.student)
        try await directory.setPolicy(policy, course: self.course)
        let key = VirtualKey.generate()
        try await directory.issueKey(sha256Hex: key.sha256Hex, record: KeyRecord(student: student, state: .active, keyID: key.keyID))
        print(key.secretText)
    }
}
