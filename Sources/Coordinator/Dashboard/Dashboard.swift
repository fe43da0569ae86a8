import Foundation
import HTTPTypes
import Hummingbird
import Shared

/// The staff dashboard under `/dashboard`: server-rendered HTML with inline SVG, no scripts. Signing in
/// with an admin token opens a session cookie; course staff see their courses, university admins all.
struct Dashboard: Sendable {
    let pool: PostgresPool
    /// Balances in Redis; nil when the coordinator runs without Redis (the pages then show none).
    let balances: BalanceReader?

    func register(on router: Router<BasicRequestContext>) {
        let pages = router.group("dashboard")
        pages.get { request, _ in try await self.home(request) }
        pages.get("login") { _, _ in LoginPage.response(error: nil) }
        pages.post("login") { request, _ in try await self.signIn(request) }
        pages.post("logout") { request, _ in try await self.signOut(request) }
        pages.get("university") { request, _ in
            try await self.page(request) { session in
                guard session.principal.role == .admin else { return Self.forbidden(session, "The university page is for university admins.") }
                let page = try await UniversityPage.load(pool: self.pool, balances: self.balances)
                return DashboardPage.response(title: "University", signedIn: session, page.render())
            }
        }
        pages.get("courses/:course") { request, context in
            let course = try context.parameters.require("course")
            return try await self.page(request, course: course) { session in
                let query = request.uri.queryParameters
                guard let overview = try await CourseOverview.load(course, pool: self.pool, balances: self.balances) else {
                    return Self.notFound(session, "There is no course \(course).")
                }
                let page = CoursePage(overview: overview, sort: StudentSort(query: query.get("sort"), order: query.get("order")))
                return DashboardPage.response(title: page.title, signedIn: session, page.render())
            }
        }
        pages.get("courses/:course/students/:student") { request, context in
            let course = try context.parameters.require("course")
            let student = try context.parameters.require("student")
            return try await self.page(request, course: course) { session in
                guard let overview = try await StudentOverview.load(course: course, student: student, pool: self.pool, balances: self.balances) else {
                    return Self.notFound(session, "There is no student \(student) in \(course).")
                }
                let page = StudentPage(overview: overview)
                return DashboardPage.response(title: page.title, signedIn: session, page.render())
            }
        }
        pages.get("courses/:course/requests/:id") { request, context in
            let course = try context.parameters.require("course")
            let id = try context.parameters.require("id")
            return try await self.page(request, course: course) { session in
                guard let page = try await RequestPage.load(course: course, id: id, pool: self.pool) else {
                    return Self.notFound(session, "There is no request \(id) in \(course).")
                }
                return DashboardPage.response(title: page.title, signedIn: session, page.render())
            }
        }
    }

    /// Runs `render` for a signed-in browser allowed on `course`; sends others to sign in, or a 403 page.
    private func page(_ request: Request, course: String? = nil, _ render: (DashboardSession) async throws -> Response) async throws -> Response {
        guard let session = try await DashboardSession.find(request.headers, pool: self.pool) else {
            return DashboardPage.redirect(to: "/dashboard/login")
        }
        if let course, !session.principal.mayAccess(course: course) {
            return Self.forbidden(session, "Your token is not for course \(course).")
        }
        return try await render(session)
    }

    private func home(_ request: Request) async throws -> Response {
        try await self.page(request) { session in
            if session.principal.role == .admin { return DashboardPage.redirect(to: "/dashboard/university") }
            let courses = session.principal.courses.sorted()
            if courses.count == 1 { return DashboardPage.redirect(to: "/dashboard/courses/\(courses[0])") }
            let links = courses.map { course -> HTML in "<li><a href=\"/dashboard/courses/\(course)\">\(course)</a></li>" }
            return DashboardPage.response(title: "Your courses", signedIn: session, "<h1>Your courses</h1><ul>\(links)</ul>")
        }
    }

    private func signIn(_ request: Request) async throws -> Response {
        let form = FormFields(try await request.body.collect(upTo: 16 * 1024))
        guard LoginPage.isFromOurForm(form, headers: request.headers) else {
            return LoginPage.response(error: "That sign-in did not come from this page. Please sign in here.")
        }
        guard let token = form["token"]?.trimmingCharacters(in: .whitespacesAndNewlines), !token.isEmpty,
            let id = try await DashboardSession.open(token: token, pool: self.pool)
        else {
            return LoginPage.response(error: "That token is not valid (or it was revoked). Ask a Goosey admin for one.")
        }
        let secure = request.uri.scheme == .https || request.headers[HTTPField.Name("X-Forwarded-Proto")!] == "https"
        return DashboardPage.redirect(to: "/dashboard", headers: [.setCookie: DashboardSession.setCookie(id, secure: secure)])
    }

    private func signOut(_ request: Request) async throws -> Response {
        let form = FormFields(try await request.body.collect(upTo: 16 * 1024))
        guard let session = try await DashboardSession.find(request.headers, pool: self.pool) else {
            return DashboardPage.redirect(to: "/dashboard/login", headers: [.setCookie: DashboardSession.clearCookie])
        }
        guard let csrf = form["csrf"], AdminToken.sha256Hex(csrf) == AdminToken.sha256Hex(session.csrfToken) else {
            return Self.forbidden(session, "That form did not come from this dashboard.")
        }
        try await session.close(pool: self.pool)
        return DashboardPage.redirect(to: "/dashboard/login", headers: [.setCookie: DashboardSession.clearCookie])
    }

    static func forbidden(_ session: DashboardSession, _ message: String) -> Response {
        DashboardPage.response(title: "Not yours", signedIn: session, status: .forbidden, "<h1>Not yours to see</h1><p>\(message)</p>")
    }

    static func notFound(_ session: DashboardSession, _ message: String) -> Response {
        DashboardPage.response(title: "Not found", signedIn: session, status: .notFound, "<h1>Not found</h1><p>\(message)</p>")
    }
}

/// `application/x-www-form-urlencoded` fields.
struct FormFields {
    private var fields: [String: String] = [:]

    init(_ body: ByteBuffer) {
        for pair in String(buffer: body).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map {
                $0.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            }
            if let name = parts.first { self.fields[name] = parts.count > 1 ? parts[1] : "" }
        }
    }

    subscript(name: String) -> String? { self.fields[name] }
}
