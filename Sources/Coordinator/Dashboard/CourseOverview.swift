import Foundation
import Shared

/// What the course page shows, read from the summary tables (`daily_usage`, `periods`), small tables
/// (students, keys, incidents) and Redis (this period's balances), never by scanning `requests`.
struct CourseOverview: Sendable {
    struct Student: Sendable {
        var id: String
        var name: String
        var group: String?
        var keyState: String
        var term = UsageTotals()
        var lastActive: Date?
        /// This period's standing, from Redis; nil when Goosey runs without Redis or has no policy for them.
        var balance: QuotaStore.Balance?

        var share: Double? {
            guard let balance, balance.total > 0 else { return nil }
            return Double(balance.used) / Double(balance.total)
        }
    }

    struct Day: Sendable {
        var day: String
        var totals: UsageTotals
    }

    /// One period: how many students ran out, and when in the period (as a fraction of it).
    struct LimitHits: Sendable {
        var window: PeriodWindow
        var students: Int
        var hitFractions: [Double]
    }

    struct Incident: Sendable {
        var id: Int64
        var student: String
        var kind: String
        var fingerprint: String
        var detectedAt: Date?
    }

    struct AuditLine: Sendable {
        var at: Date?
        var actor: String
        var action: String
        var target: String
        var reason: String
    }

    var course: String
    var name: String
    var policy: QuotaPolicy?
    var window: PeriodWindow?
    var students: [Student]
    var days: [Day]
    var limitHits: [LimitHits]
    var incidents: [Incident]
    var audit: [AuditLine]

    var timeZone: TimeZone { self.policy.flatMap { TimeZone(identifier: $0.period.timeZoneIdentifier) } ?? TimeZone(identifier: "UTC")! }
    var unit: QuotaAmount.Kind { self.policy?.unit.kind ?? .tokens }
}

extension CourseOverview {
    static func load(_ course: String, pool: PostgresPool, balances: BalanceReader?, now: Date = Date()) async throws -> CourseOverview? {
        try await pool.withConnection { connection in
            guard let courseRow = try await connection.query("SELECT coalesce(name, '') FROM courses WHERE id = $1", [course]).first else {
                return nil
            }
            let policies = try await CoursePolicies.load(course, on: connection)
            var students = try await connection.query(
                """
                SELECT s.id, s.name, e.group_name,
                    coalesce((SELECT k.state FROM keys k WHERE k.course_id = s.course_id AND k.student_id = s.id
                              ORDER BY k.created_at DESC LIMIT 1), 'none')
                FROM students s LEFT JOIN enrolments e ON e.course_id = s.course_id AND e.student_id = s.id
                WHERE s.course_id = $1 ORDER BY s.id
                """,
                [course]
            ).map { Student(id: $0[0] ?? "", name: $0[1] ?? "", group: $0[2], keyState: $0[3] ?? "none") }
            var index = Dictionary(uniqueKeysWithValues: students.enumerated().map { ($1.id, $0) })
            for row in try await connection.query(
                "SELECT student_id, extract(epoch FROM max(last_at)), \(UsageTotals.sums) FROM daily_usage WHERE course_id = $1 GROUP BY student_id", [course]
            ) {
                let id = row[0] ?? ""
                if index[id] == nil {
                    index[id] = students.count
                    students.append(Student(id: id, name: "", group: nil, keyState: "none"))
                }
                students[index[id]!].term = UsageTotals(row, from: 2)
                students[index[id]!].lastActive = DashboardFormat.date(epoch: row[1])
            }
            let days = try await connection.query(
                "SELECT day::text, \(UsageTotals.sums) FROM daily_usage WHERE course_id = $1 GROUP BY day ORDER BY day", [course]
            ).map { Day(day: $0[0] ?? "", totals: UsageTotals($0, from: 1)) }
            if let balances {
                let found = try await balances.balances(course: course, students: students.map(\.id), policies: policies, now: now)
                for position in students.indices { students[position].balance = found[students[position].id] }
            }
            return CourseOverview(
                course: course, name: courseRow[0] ?? "", policy: policies.course,
                window: policies.course?.period.window(containing: now), students: students, days: days,
                limitHits: try await Self.limitHits(course, policy: policies.course, now: now, on: connection),
                incidents: try await Self.openIncidents(course, on: connection),
                audit: try await Self.recentAudit(course, on: connection)
            )
        }
    }

    /// Each period's refusals (429s) by student, first one only, from the partial index on refused requests.
    static func limitHits(_ course: String, policy: QuotaPolicy?, now: Date, on connection: PostgresConnection) async throws -> [LimitHits] {
        guard let policy else { return [] }
        let rows = try await connection.query(
            "SELECT student_id, extract(epoch FROM received_at) FROM requests WHERE course_id = $1 AND status = 429 ORDER BY received_at", [course]
        )
        var first: [Int64: (window: PeriodWindow, hits: [String: Double])] = [:]
        for row in rows {
            guard let student = row[0], let at = DashboardFormat.date(epoch: row[1]) else { continue }
            let window = policy.period.window(containing: at)
            var entry = first[window.index] ?? (window, [:])
            if entry.hits[student] == nil { entry.hits[student] = at.timeIntervalSince(window.start) / window.duration }
            first[window.index] = entry
        }
        return first.values.sorted { $0.window.index > $1.window.index }.map {
            LimitHits(window: $0.window, students: $0.hits.count, hitFractions: $0.hits.values.sorted())
        }
    }

    static func openIncidents(_ course: String, on connection: PostgresConnection) async throws -> [Incident] {
        try await connection.query(
            """
            SELECT id, student_id, kind, fingerprint, extract(epoch FROM detected_at) FROM incidents
            WHERE course_id = $1 AND resolved_at IS NULL ORDER BY detected_at DESC LIMIT 50
            """,
            [course]
        ).map {
            Incident(id: Int64($0[0] ?? "") ?? 0, student: $0[1] ?? "", kind: $0[2] ?? "", fingerprint: $0[3] ?? "", detectedAt: DashboardFormat.date(epoch: $0[4]))
        }
    }

    static func recentAudit(_ course: String, on connection: PostgresConnection) async throws -> [AuditLine] {
        try await connection.query(
            """
            SELECT extract(epoch FROM at), actor, action, target, reason FROM audit_events
            WHERE details->>'course' = $1 OR target = 'course:' || $1 ORDER BY id DESC LIMIT 10
            """,
            [course]
        ).map { AuditLine(at: DashboardFormat.date(epoch: $0[0]), actor: $0[1] ?? "", action: $0[2] ?? "", target: $0[3] ?? "", reason: $0[4] ?? "") }
    }
}

/// A course's policy and its per-student overrides, from Postgres.
struct CoursePolicies: Sendable {
    var course: QuotaPolicy?
    var overrides: [String: QuotaPolicy]

    func policy(for student: String) -> QuotaPolicy? { self.overrides[student] ?? self.course }

    static func load(_ course: String, on connection: PostgresConnection) async throws -> CoursePolicies {
        var policies = CoursePolicies(course: nil, overrides: [:])
        for row in try await connection.query("SELECT student_id, policy::text FROM policies WHERE course_id = $1", [course]) {
            guard let text = row[1], let policy = try? QuotaPolicy(jsonData: Data(text.utf8)) else { continue }
            if row[0] ?? "" == "" { policies.course = policy } else { policies.overrides[row[0]!] = policy }
        }
        return policies
    }
}

/// This period's balances, from Redis.
struct BalanceReader: Sendable {
    let store: QuotaStore

    /// The balances of `students` who have a policy, by student id, in one round trip.
    func balances(course: String, students: [String], policies: CoursePolicies, now: Date) async throws -> [String: QuotaStore.Balance] {
        let asked = students.compactMap { student in
            policies.policy(for: student).map { (student: StudentRef(course: course, student: student), policy: $0, window: $0.period.window(containing: now)) }
        }
        let found = try await self.store.balances(asked)
        return Dictionary(uniqueKeysWithValues: zip(asked.map(\.student.student), found))
    }
}
