import Foundation
import Shared

/// Every course side by side, and the totals: for university admins.
struct UniversityPage {
    struct Course: Sendable {
        var id: String
        var name: String
        var students: Int64
        var term: UsageTotals
        var incidents: Int64
        var used: Int64 = 0
        var allowance: Int64 = 0
        var unit: QuotaAmount.Kind = .tokens
        var tokens: Int64 { self.term.input + self.term.cacheWrite5m + self.term.cacheWrite1h + self.term.cacheRead + self.term.output }
    }

    let courses: [Course]

    static func load(pool: PostgresPool, balances: BalanceReader?, now: Date = Date()) async throws -> UniversityPage {
        var courses = try await pool.withConnection { connection in
            try await connection.query(
                """
                SELECT c.id, c.name, (SELECT count(*) FROM students s WHERE s.course_id = c.id),
                    (SELECT count(*) FROM incidents i WHERE i.course_id = c.id AND i.resolved_at IS NULL), \(UsageTotals.sums)
                FROM courses c LEFT JOIN daily_usage d ON d.course_id = c.id GROUP BY c.id, c.name ORDER BY c.id
                """
            ).map {
                Course(id: $0[0] ?? "", name: $0[1] ?? "", students: Int64($0[2] ?? "") ?? 0, term: UsageTotals($0, from: 4), incidents: Int64($0[3] ?? "") ?? 0)
            }
        }
        guard let balances else { return UniversityPage(courses: courses) }
        try await withThrowingTaskGroup(of: (Int, Int64, Int64, QuotaAmount.Kind).self) { group in
            for (index, course) in courses.enumerated() {
                group.addTask {
                    let (policies, students) = try await pool.withConnection { connection in
                        (
                            try await CoursePolicies.load(course.id, on: connection),
                            try await connection.query("SELECT id FROM students WHERE course_id = $1", [course.id]).compactMap { $0[0] }
                        )
                    }
                    let found = try await balances.balances(course: course.id, students: students, policies: policies, now: now).values
                    return (index, found.reduce(0) { $0 + $1.used }, found.reduce(0) { $0 + $1.total }, policies.course?.unit.kind ?? .tokens)
                }
            }
            for try await (index, used, total, unit) in group {
                (courses[index].used, courses[index].allowance, courses[index].unit) = (used, total, unit)
            }
        }
        return UniversityPage(courses: courses)
    }

    func render() -> HTML {
        var total = Course(id: "all", name: "", students: 0, term: UsageTotals(), incidents: 0)
        for course in self.courses {
            total.students += course.students
            total.term.add(course.term)
            total.incidents += course.incidents
        }
        let rows = self.courses.map { course -> HTML in
            """
            <tr data-course="\(course.id)"><td><a href="/dashboard/courses/\(course.id)">\(course.id)</a></td><td>\(course.name)</td>\
            <td class="n" data-value="\(course.students)">\(course.students)</td>\
            <td class="n" data-value="\(course.term.requests)">\(DashboardFormat.tokens(course.term.requests))</td>\
            <td class="n" data-value="\(course.tokens)">\(DashboardFormat.tokens(course.tokens))</td>\
            <td class="n" data-value="\(course.term.costPicoUSD)">\(DashboardFormat.usd(course.term.costPicoUSD))</td>\
            <td class="n" data-value="\(course.used)">\(SVGChart.meter(course.used, of: course.allowance)) \(DashboardFormat.percent(course.used, of: course.allowance))</td>\
            <td class="n" data-value="\(course.incidents)">\(course.incidents)</td></tr>
            """
        }
        return """
            <h1>The university</h1><p class="sub">Every course, this term; share of allowance is this period's.</p>
            <div class="cards">
            \(CoursePage.card("courses", String(self.courses.count), id: "courses", value: Int64(self.courses.count)))
            \(CoursePage.card("students", String(total.students), id: "students", value: total.students))
            \(CoursePage.card("requests", DashboardFormat.tokens(total.term.requests), id: "requests", value: total.term.requests))
            \(CoursePage.card("tokens", DashboardFormat.tokens(total.tokens), id: "tokens", value: total.tokens))
            \(CoursePage.card("cost", DashboardFormat.usd(total.term.costPicoUSD), id: "usd", value: total.term.costPicoUSD))
            \(CoursePage.card("open leak incidents", String(total.incidents), id: "incidents", value: total.incidents))
            </div>
            <h2>Courses</h2>
            <table id="courses-table"><tr><th>course</th><th>name</th><th class="n">students</th><th class="n">requests</th><th class="n">tokens</th>\
            <th class="n">cost</th><th class="n">allowance used (period)</th><th class="n">open incidents</th></tr>\(rows)</table>
            """
    }
}
