import Foundation
import Shared

/// The course at a glance: this period against the class's allowance, the term day by day, groups side by
/// side, the students (sortable by link), who ran out and when, open incidents and recent staff actions.
struct CoursePage {
    let overview: CourseOverview
    let sort: StudentSort

    var title: String { self.overview.course }

    func render() -> HTML {
        let overview = self.overview
        let students = overview.students
        var term = UsageTotals()
        for student in students { term.add(student.term) }
        let balances = students.compactMap(\.balance)
        let used = balances.reduce(Int64(0)) { $0 + $1.used }
        let allowance = balances.reduce(Int64(0)) { $0 + $1.total }
        let near = students.filter { ($0.share ?? 0) >= 0.8 }.sorted { ($0.share ?? 0) > ($1.share ?? 0) }
        let period: HTML = overview.window.map { window in
            "This period: \(DashboardFormat.time(window.start, in: overview.timeZone)) to \(DashboardFormat.time(window.end, in: overview.timeZone)) (\(overview.timeZone.identifier)); it resets then."
        } ?? "No allowance is set for this course yet."
        return """
            <h1>\(overview.course)</h1><p class="sub">\(overview.name.isEmpty ? "" : overview.name + " · ")\(period)</p>
            <div class="cards">
            \(Self.card("students", String(students.count), id: "students", value: Int64(students.count)))
            \(Self.card("used this period, of the class's allowance", "\(DashboardFormat.amount(used, kind: overview.unit)) of \(DashboardFormat.amount(allowance, kind: overview.unit))", id: "period-used", value: used, extra: SVGChart.meter(used, of: allowance)))
            \(Self.card("requests this term", DashboardFormat.tokens(term.requests), id: "term-requests", value: term.requests))
            \(Self.card("weighted tokens this term", DashboardFormat.tokens(self.weighted(term)), id: "term-weighted", value: self.weighted(term)))
            \(Self.card("cost this term", DashboardFormat.usd(term.costPicoUSD), id: "term-usd", value: term.costPicoUSD))
            \(Self.card("refusals (429) this term", String(term.refusals), id: "term-refusals", value: term.refusals))
            \(Self.card("open leak incidents", String(overview.incidents.count), id: "open-incidents", value: Int64(overview.incidents.count)))
            </div>
            <h2>Usage per day (UTC days), in weighted tokens by class</h2>
            \(self.dailyChart())
            <h2>Groups</h2>
            \(self.groups())
            <h2>Near or over the limit</h2>
            \(near.isEmpty ? "<p class=\"empty\">Nobody has used 80% of their allowance this period.</p>" : self.studentTable(near, sortable: false))
            <h2>Who ran out, and when in the period</h2>
            \(self.limitHits())
            <h2>Students</h2>
            \(self.studentTable(self.sort.sorted(students), sortable: true))
            <h2>Open leak incidents</h2>
            \(self.incidents())
            <h2>Recent staff actions</h2>
            \(self.audit())
            """
    }

    private func weighted(_ totals: UsageTotals) -> Int64 {
        if case .tokens = self.overview.policy?.unit { return totals.charged / 1000 }
        return totals.weighted(self.overview.policy?.chartWeights ?? .standard).reduce(0, +)
    }

    static func card(_ label: String, _ text: String, id: String, value: Int64, extra: HTML = "") -> HTML {
        "<div class=\"card\" id=\"\(id)\" data-value=\"\(value)\"><b>\(text)</b>\(extra) <span>\(label)</span></div>"
    }

    private func dailyChart() -> HTML {
        let days = self.overview.days
        guard !days.isEmpty else { return "<p class=\"empty\">No traffic yet.</p>" }
        let weights = self.overview.policy?.chartWeights ?? .standard
        let perDay = days.map { $0.totals.weighted(weights) }
        let series = UsageTotals.weightedClasses.enumerated().map { index, name in
            SVGChart.Series(name: name, colour: SVGChart.palette[index], values: perDay.map { $0[index] })
        }
        return SVGChart.stackedBars(
            labels: days.map { String($0.day.dropFirst(5)) }, series: series, title: "Weighted tokens per day", format: DashboardFormat.tokens
        )
    }

    private func groups() -> HTML {
        var byGroup: [String: (students: Int, term: UsageTotals, used: Int64, total: Int64)] = [:]
        for student in self.overview.students {
            var entry = byGroup[student.group ?? "(no group)"] ?? (0, UsageTotals(), 0, 0)
            entry.students += 1
            entry.term.add(student.term)
            entry.used += student.balance?.used ?? 0
            entry.total += student.balance?.total ?? 0
            byGroup[student.group ?? "(no group)"] = entry
        }
        let kind = self.overview.unit
        let rows = byGroup.sorted { $0.key < $1.key }.map { name, entry -> HTML in
            """
            <tr data-group="\(name)"><td>\(name)</td><td class="n">\(entry.students)</td><td class="n" data-value="\(entry.term.requests)">\(DashboardFormat.tokens(entry.term.requests))</td>\
            <td class="n">\(DashboardFormat.tokens(self.weighted(entry.term)))</td><td class="n" data-value="\(entry.term.costPicoUSD)">\(DashboardFormat.usd(entry.term.costPicoUSD))</td>\
            <td class="n" data-value="\(entry.used)">\(DashboardFormat.amount(entry.used, kind: kind)) of \(DashboardFormat.amount(entry.total, kind: kind))</td>\
            <td>\(SVGChart.meter(entry.used, of: entry.total)) \(DashboardFormat.percent(entry.used, of: entry.total))</td></tr>
            """
        }
        return """
            <table id="groups"><tr><th>group</th><th class="n">students</th><th class="n">requests (term)</th><th class="n">weighted tokens (term)</th>\
            <th class="n">cost (term)</th><th class="n">used this period</th><th>share</th></tr>\(rows)</table>
            """
    }

    private func studentTable(_ students: [CourseOverview.Student], sortable: Bool) -> HTML {
        let kind = self.overview.unit
        let header = StudentSort.Column.allCases.map { column -> HTML in
            let numeric = column.isNumeric ? " class=\"n\"" : ""
            guard sortable else { return "<th\(HTML(stringLiteral: numeric))>\(column.title)</th>" }
            return "<th\(HTML(stringLiteral: numeric))><a href=\"?sort=\(column.rawValue)&amp;order=\(self.sort.nextOrder(for: column))\">\(column.title)\(self.sort.arrow(for: column))</a></th>"
        }
        let rows = students.map { student -> HTML in
            let share = student.share ?? 0
            let css = share >= 1 ? " class=\"over\"" : (share >= 0.8 ? " class=\"near\"" : "")
            let used = student.balance.map { DashboardFormat.amount($0.used, kind: kind) } ?? "—"
            let total = student.balance.map { DashboardFormat.amount($0.total, kind: kind) } ?? "—"
            let last = student.lastActive.map { DashboardFormat.time($0, in: self.overview.timeZone) } ?? "never"
            return """
                <tr\(HTML(stringLiteral: css)) data-student="\(student.id)"><td><a href="/dashboard/courses/\(self.overview.course)/students/\(student.id)">\(student.id)</a></td>\
                <td>\(student.name)</td><td>\(student.group ?? "")</td>\
                <td class="n" data-value="\(student.balance?.used ?? 0)">\(used)</td><td class="n" data-value="\(student.balance?.total ?? 0)">\(total)</td>\
                <td class="n">\(SVGChart.meter(student.balance?.used ?? 0, of: student.balance?.total ?? 0)) \(student.balance.map { DashboardFormat.percent($0.used, of: $0.total) } ?? "—")</td>\
                <td class="n" data-value="\(student.term.requests)">\(student.term.requests)</td><td class="n" data-value="\(student.term.refusals)">\(student.term.refusals)</td>\
                <td>\(last)</td><td class="state-\(student.keyState)">\(student.keyState)</td></tr>
                """
        }
        return "<table class=\"students\"\(HTML(stringLiteral: sortable ? " id=\"students\"" : ""))><tr>\(header)</tr>\(rows)</table>"
    }

    private func limitHits() -> HTML {
        let periods = self.overview.limitHits
        guard !periods.isEmpty else { return "<p class=\"empty\">Nobody has been refused for their allowance yet.</p>" }
        let rows = periods.map { period -> HTML in
            let median = period.hitFractions[period.hitFractions.count / 2]
            let days = period.window.duration / 86_400
            let dots = period.hitFractions.map { fraction -> HTML in
                "<circle cx=\"\(Int(fraction * 196) + 2)\" cy=\"6\" r=\"3\" fill=\"#c0392b\"/>"
            }
            return """
                <tr data-period="\(period.window.index)"><td>\(DashboardFormat.time(period.window.start, in: self.overview.timeZone))</td>\
                <td class="n" data-value="\(period.students)">\(period.students)</td>\
                <td class="n">\(String(format: "%.1f", median * days)) of \(String(format: "%.0f", days)) days</td>\
                <td><svg viewBox="0 0 200 12" style="width:200px;height:12px"><rect width="200" height="12" fill="#eaeded"/>\(dots)</svg></td></tr>
                """
        }
        return """
            <table id="limit-hits"><tr><th>period from</th><th class="n">students refused</th><th class="n">median first refusal</th>\
            <th>first refusals across the period</th></tr>\(rows)</table>
            """
    }

    private func incidents() -> HTML {
        guard !self.overview.incidents.isEmpty else { return "<p class=\"empty\">None open.</p>" }
        let rows = self.overview.incidents.map { incident -> HTML in
            """
            <tr><td>\(incident.id)</td><td><a href="/dashboard/courses/\(self.overview.course)/students/\(incident.student)">\(incident.student)</a></td>\
            <td>\(incident.kind)</td><td><code>\(incident.fingerprint)</code></td>\
            <td>\(incident.detectedAt.map { DashboardFormat.time($0, in: self.overview.timeZone) } ?? "")</td></tr>
            """
        }
        return "<table id=\"incidents\"><tr><th>#</th><th>student</th><th>kind</th><th>fingerprint</th><th>detected</th></tr>\(rows)</table>"
    }

    private func audit() -> HTML {
        guard !self.overview.audit.isEmpty else { return "<p class=\"empty\">No staff actions yet.</p>" }
        let rows = self.overview.audit.map { event -> HTML in
            """
            <tr><td>\(event.at.map { DashboardFormat.time($0, in: self.overview.timeZone) } ?? "")</td><td>\(event.actor)</td>\
            <td>\(event.action)</td><td>\(event.target)</td><td>\(event.reason)</td></tr>
            """
        }
        return "<table id=\"audit\"><tr><th>when</th><th>who</th><th>what</th><th>on</th><th>why</th></tr>\(rows)</table>"
    }
}

/// The student table's order, from `?sort=…&order=asc|desc`: links in the header, no script needed.
struct StudentSort: Sendable {
    enum Column: String, CaseIterable, Sendable {
        case student, name, group, used, allowance, share, requests, refusals, last, key

        var title: String {
            switch self {
            case .last: "last active"
            case .key: "key"
            case .used: "used (period)"
            default: self.rawValue
            }
        }

        var isNumeric: Bool { [.used, .allowance, .share, .requests, .refusals].contains(self) }
    }

    var column: Column = .share
    var descending = true

    init(query sort: String?, order: String?) {
        if let sort, let column = Column(rawValue: sort) {
            self.column = column
            self.descending = order.map { $0 == "desc" } ?? column.isNumeric
        }
    }

    func nextOrder(for column: Column) -> String {
        column == self.column ? (self.descending ? "asc" : "desc") : (column.isNumeric || column == .last ? "desc" : "asc")
    }

    func arrow(for column: Column) -> String {
        column == self.column ? (self.descending ? " ↓" : " ↑") : ""
    }

    func sorted(_ students: [CourseOverview.Student]) -> [CourseOverview.Student] {
        let ascending = students.sorted { lhs, rhs in
            switch self.column {
            case .student: return lhs.id < rhs.id
            case .name: return (lhs.name, lhs.id) < (rhs.name, rhs.id)
            case .group: return (lhs.group ?? "", lhs.id) < (rhs.group ?? "", rhs.id)
            case .used: return (lhs.balance?.used ?? 0, lhs.id) < (rhs.balance?.used ?? 0, rhs.id)
            case .allowance: return (lhs.balance?.total ?? 0, lhs.id) < (rhs.balance?.total ?? 0, rhs.id)
            case .share: return (lhs.share ?? 0, lhs.id) < (rhs.share ?? 0, rhs.id)
            case .requests: return (lhs.term.requests, lhs.id) < (rhs.term.requests, rhs.id)
            case .refusals: return (lhs.term.refusals, lhs.id) < (rhs.term.refusals, rhs.id)
            case .last: return (lhs.lastActive ?? .distantPast, lhs.id) < (rhs.lastActive ?? .distantPast, rhs.id)
            case .key: return (lhs.keyState, lhs.id) < (rhs.keyState, rhs.id)
            }
        }
        return self.descending ? ascending.reversed() : ascending
    }
}
