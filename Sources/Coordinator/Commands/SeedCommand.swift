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

    @Option(help: "Allowance per period: 500k, 2M (weighted tokens) or 40usd.")
    var limit: String = "500k"

    @Option(name: .customLong("reset-period"), help: "1d, 7d, 14d, 1mo, ...")
    var resetPeriod: String = "7d"

    @Option(help: "When a period starts, e.g. \"mon 00:00\" (weekly) or \"1 00:00\" (monthly).")
    var anchor: String?

    @Option(help: "The course's time zone, e.g. Australia/Sydney.")
    var timezone: String = "UTC"

    @Flag(name: .customLong("carry-over"), help: "Carry what is left into the next period.")
    var carryOver = false

    @Flag(name: .customLong("fail-closed"), help: "Refuse requests while Redis is unreachable.")
    var failClosed = false

    @Option(name: .customLong("reserve"), help: "A course reserve per period that students who run out draw on, e.g. 2M.")
    var reserve: String?

    @Option(name: .customLong("reserve-cap"), help: "The most one student may draw from the reserve per period, e.g. 100k.")
    var reserveCap: String?

    func run() async throws {
        let amount = try QuotaAmount(parsing: self.limit)
        let policy = QuotaPolicy(
            limit: amount.value,
            unit: amount.kind == .usd ? .usd : .standardTokens,
            period: try PeriodSpec(period: self.resetPeriod, anchor: self.anchor, timeZone: self.timezone),
            carryOver: self.carryOver ? .all : .none,
            failMode: self.failClosed ? .closed : .open,
            reserve: try self.courseReserve(unit: amount.kind)
        )
        try policy.validate()
        let url = self.redis ?? ProcessInfo.processInfo.environment["REDIS_URL"] ?? "redis://127.0.0.1:6379"
        let pool = RedisPool(.init(endpoint: try RedisEndpoint(url: url)), logger: Logger(label: "goosey-seed"))
        let directory = Directory(pool: pool)
        let student = StudentRef(course: self.course, student: self.student)
        try await directory.setPolicy(policy, course: self.course)
        let key = VirtualKey.generate()
        try await directory.issueKey(sha256Hex: key.sha256Hex, record: KeyRecord(student: student, state: .active, keyID: key.keyID))
        print(key.secretText)
    }

    /// `--reserve` and `--reserve-cap` in the allowance's unit; the cap defaults to the whole reserve.
    private func courseReserve(unit: QuotaAmount.Kind) throws -> CourseReserve? {
        guard let reserve = self.reserve else {
            guard self.reserveCap == nil else { throw ValidationError("--reserve-cap needs --reserve") }
            return nil
        }
        let total = try QuotaAmount(parsing: reserve)
        let cap = try self.reserveCap.map { try QuotaAmount(parsing: $0) } ?? total
        guard total.kind == unit, cap.kind == unit else {
            throw ValidationError("--reserve and --reserve-cap must be in the unit of --limit")
        }
        return CourseReserve(total: total.value, capPerStudent: cap.value)
    }
}
