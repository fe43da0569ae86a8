import Foundation
import NIOCore
@testable import Shared
import Testing

@testable import Coordinator

/// What the dashboard writes into pages: text escaped wherever it comes from, numbers readable, the
/// student table ordered as its header links ask.
struct DashboardMarkupTests {
    @Test func textFromStudentsIsEscapedButMarkupIsNot() {
        let name = "<script>alert('x')</script> & \"friends\""
        let cell: HTML = "<td title=\"\(name)\">\(name)</td>"
        #expect(cell.description == "<td title=\"&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;friends&quot;\">"
            + "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;friends&quot;</td>")
        let row: HTML = "<tr>\(cell)</tr>"
        #expect(row.description.hasPrefix("<tr><td title="))
        #expect(HTML.escape("plain text, no change") == "plain text, no change")
    }

    @Test func numbersReadShortAndRoundToTheCent() {
        #expect(DashboardFormat.tokens(999) == "999")
        #expect(DashboardFormat.tokens(1_250) == "1.2k" || DashboardFormat.tokens(1_250) == "1.3k")
        #expect(DashboardFormat.tokens(2_000_000) == "2M")
        #expect(DashboardFormat.usd(3_404_999_999_999) == "$3.40")
        #expect(DashboardFormat.usd(3_405_000_000_000) == "$3.41")
        #expect(DashboardFormat.amount(500_000_000, kind: .tokens) == "500k")
        #expect(DashboardFormat.percent(1, of: 0) == "—")
        #expect(DashboardFormat.percent(64, of: 60) == "106.7%")
    }

    @Test func timesAreShownInTheCoursesZone() throws {
        let date = try #require(DashboardFormat.date(epoch: "1795354205.123456"))
        #expect(DashboardFormat.time(date, in: try #require(TimeZone(identifier: "Australia/Sydney"))) == "2026-11-23 00:30")
        #expect(DashboardFormat.date(epoch: "not a time") == nil)
    }

    @Test func theStudentTableSortsByTheColumnAsked() {
        func student(_ id: String, requests: Int64, used: Int64) -> CourseOverview.Student {
            var student = CourseOverview.Student(id: id, name: id.uppercased(), group: nil, keyState: "active")
            student.term.requests = requests
            student.balance = QuotaStore.Balance(periodIndex: 1, total: 100, used: used, held: 0)
            return student
        }
        let students = [student("b", requests: 5, used: 90), student("a", requests: 9, used: 10), student("c", requests: 1, used: 50)]
        #expect(StudentSort(query: nil, order: nil).sorted(students).map(\.id) == ["b", "c", "a"], "by share, fullest first")
        #expect(StudentSort(query: "requests", order: "desc").sorted(students).map(\.id) == ["a", "b", "c"])
        #expect(StudentSort(query: "student", order: nil).sorted(students).map(\.id) == ["a", "b", "c"])
        #expect(StudentSort(query: "student", order: "desc").nextOrder(for: .student) == "asc")
        #expect(StudentSort(query: "nonsense", order: "asc").column == .share, "an unknown column falls back to share")
    }

    @Test func formFieldsDecodePercentAndPlus() {
        let form = FormFields(ByteBuffer(string: "token=gooseyadmin_a%2Bb+c&csrf=x&empty="))
        #expect(form["token"] == "gooseyadmin_a+b c")
        #expect(form["csrf"] == "x")
        #expect(form["empty"] == "")
        #expect(form["missing"] == nil)
    }
}
