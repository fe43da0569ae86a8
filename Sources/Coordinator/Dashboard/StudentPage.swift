import Foundation
import Shared

/// One student: balance and reset, usage per day, their Claude Code sessions with the context's growth turn
/// by turn, and their latest requests linking to what was stored.
struct StudentPage {
    let overview: StudentOverview

    var title: String { "\(self.overview.id) · \(self.overview.course)" }

    func render() -> HTML {
        let student = self.overview
        let kind = student.policy?.unit.kind ?? .tokens
        let zone = student.timeZone
        let balance: HTML = student.balance.map { balance in
            let resets = student.policy.map { DashboardFormat.time($0.period.window(containing: Date()).end, in: zone) } ?? "—"
            return """
                \(CoursePage.card("used this period", DashboardFormat.amount(balance.used, kind: kind), id: "balance-used", value: balance.used, extra: SVGChart.meter(balance.used, of: balance.total)))
                \(CoursePage.card("allowance this period (with carry-over and grants)", DashboardFormat.amount(balance.total, kind: kind), id: "balance-total", value: balance.total))
                \(CoursePage.card("left", DashboardFormat.amount(balance.remaining, kind: kind), id: "balance-left", value: balance.remaining))
                \(CoursePage.card("resets (\(zone.identifier))", resets, id: "resets", value: 0))
                """
        } ?? "<p class=\"empty\">No balance: the course has no allowance set, or Goosey runs without Redis.</p>"
        var term = UsageTotals()
        for day in student.days { term.add(day.totals) }
        let keys = student.keys.map { key -> HTML in "<code>\(key.id)</code> <span class=\"state-\(key.state)\">\(key.state)</span>" }
        return """
            <p class="sub"><a href="/dashboard/courses/\(student.course)">\(student.course)</a></p>
            <h1>\(student.id) \(student.name)</h1>
            <p class="sub">\(student.email)\(student.group.map { " · group \($0)" } ?? "") · keys: \(HTML.join(keys, separator: ", "))</p>
            <div class="cards">\(balance)
            \(CoursePage.card("requests this term", String(term.requests), id: "term-requests", value: term.requests))
            \(CoursePage.card("cost this term", DashboardFormat.usd(term.costPicoUSD), id: "term-usd", value: term.costPicoUSD))
            </div>
            <h2>Usage per day (UTC days), in weighted tokens by class</h2>
            \(self.dailyChart())
            <h2>Claude Code sessions (last 30 days)</h2>
            \(self.sessions())
            <h2>Latest requests</h2>
            \(self.requests(kind: kind))
            """
    }

    private func dailyChart() -> HTML {
        guard !self.overview.days.isEmpty else { return "<p class=\"empty\">No traffic yet.</p>" }
        let weights = self.overview.policy?.chartWeights ?? .standard
        let perDay = self.overview.days.map { $0.totals.weighted(weights) }
        let series = UsageTotals.weightedClasses.enumerated().map { index, name in
            SVGChart.Series(name: name, colour: SVGChart.palette[index], values: perDay.map { $0[index] })
        }
        return SVGChart.stackedBars(
            labels: self.overview.days.map { String($0.day.dropFirst(5)) }, series: series, title: "Weighted tokens per day",
            format: DashboardFormat.tokens
        )
    }

    private func sessions() -> HTML {
        let sessions = self.overview.sessions
        guard !sessions.isEmpty else { return "<p class=\"empty\">No Claude Code sessions in the last 30 days.</p>" }
        let curves = sessions.enumerated().map { index, session in
            SVGChart.Series(name: String(session.id.prefix(8)), colour: SVGChart.palette[index % SVGChart.palette.count], values: session.context)
        }
        let rows = sessions.map { session -> HTML in
            """
            <tr data-session="\(session.id)"><td><code>\(String(session.id.prefix(8)))</code></td>\
            <td>\(session.started.map { DashboardFormat.time($0, in: self.overview.timeZone) } ?? "")</td>\
            <td>\(session.last.map { DashboardFormat.time($0, in: self.overview.timeZone) } ?? "")</td>\
            <td class="n" data-value="\(session.requests)">\(session.requests)</td>\
            <td class="n">\(DashboardFormat.tokens(session.context.last ?? 0))</td><td class="n">\(DashboardFormat.tokens(session.output))</td></tr>
            """
        }
        return """
            \(SVGChart.lines(series: curves, title: "Context per turn (input + cache writes + cache reads, tokens)", format: DashboardFormat.tokens))
            <table id="sessions"><tr><th>session</th><th>started</th><th>last turn</th><th class="n">requests</th>\
            <th class="n">last context</th><th class="n">output</th></tr>\(rows)</table>
            """
    }

    private func requests(kind: QuotaAmount.Kind) -> HTML {
        guard !self.overview.requests.isEmpty else { return "<p class=\"empty\">No requests yet.</p>" }
        let rows = self.overview.requests.map { request -> HTML in
            """
            <tr data-request="\(request.id)"><td><a href="/dashboard/courses/\(self.overview.course)/requests/\(request.id)">\
            \(request.at.map { DashboardFormat.time($0, in: self.overview.timeZone) } ?? request.id)</a></td>\
            <td>\(request.model)</td><td class="n">\(request.status)</td><td class="n">\(DashboardFormat.tokens(request.context))</td>\
            <td class="n">\(DashboardFormat.tokens(request.output))</td>\
            <td class="n" data-value="\(request.charged)">\(DashboardFormat.amount(request.charged, kind: kind))\(request.estimated ? " (estimated)" : "")</td>\
            <td class="n">\(DashboardFormat.usd(request.costPicoUSD))</td><td><code>\(request.session.map { String($0.prefix(8)) } ?? "")</code></td></tr>
            """
        }
        return """
            <table id="requests"><tr><th>when</th><th>model</th><th class="n">status</th><th class="n">context</th><th class="n">output</th>\
            <th class="n">charged</th><th class="n">cost</th><th>session</th></tr>\(rows)</table>
            """
    }
}
