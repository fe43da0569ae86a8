import Foundation
import Hummingbird
import Shared

/// The admin API (`/admin/v1`): courses, policies, keys, incidents and the audit log, for course staff (their
/// courses) and university admins (all). Every change runs in one Postgres transaction with its audit event;
/// a change the edges must obey is written to Redis inside that transaction, so a Redis failure undoes it.
struct AdminAPI: Sendable {
    let pool: PostgresPool
    let directory: Directory?
    /// Balances in Redis, for grants; nil with the directory when no Redis is configured.
    var store: QuotaStore?
    var authenticator: AdminAuthenticator { AdminAuthenticator(pool: self.pool) }

    func register(on router: Router<BasicRequestContext>) {
        router.get("/openapi.json") { _, _ in try OpenAPIDocument.response() }
        let admin = router.group("admin/v1").add(middleware: AdminErrorMiddleware())
        admin.get("courses") { request, _ in try await self.courses(request) }
        admin.post("tokens") { request, _ in try await self.createToken(request) }
        admin.get("tokens") { request, _ in try await self.tokens(request) }
        admin.post("tokens/:id/revoke") { request, context in try await self.revokeToken(request, id: context.parameters.require("id")) }
        admin.put("courses/:course") { request, context in try await self.saveCourse(request, context.parameters.require("course")) }
        admin.get("courses/:course/policy") { request, context in try await self.policy(request, context.parameters.require("course")) }
        admin.put("courses/:course/policy") { request, context in try await self.setPolicy(request, context.parameters.require("course")) }
        admin.post("courses/:course/enrolments") { request, context in try await self.sync(request, context.parameters.require("course")) }
        admin.get("courses/:course/export") { request, context in try await self.export(request, context.parameters.require("course")) }
        admin.get("courses/:course/groups") { request, context in try await self.groups(request, context.parameters.require("course")) }
        admin.get("courses/:course/students/:student") { request, context in
            try await self.student(request, course: context.parameters.require("course"), id: context.parameters.require("student"))
        }
        admin.get("courses/:course/students") { request, context in try await self.students(request, context.parameters.require("course")) }
        admin.post("courses/:course/students/:student/keys") { request, context in
            try await self.issueKey(request, course: context.parameters.require("course"), student: context.parameters.require("student"))
        }
        admin.post("courses/:course/students/:student/grants") { request, context in
            try await self.grant(request, course: context.parameters.require("course"), student: context.parameters.require("student"))
        }
        admin.get("courses/:course/usage") { request, context in try await self.usage(request, context.parameters.require("course")) }
        admin.post("courses/:course/keys/:keyID/:action") { request, context in
            try await self.changeKey(
                request, course: context.parameters.require("course"), keyID: context.parameters.require("keyID"),
                action: context.parameters.require("action")
            )
        }
        admin.get("courses/:course/incidents") { request, context in try await self.incidents(request, context.parameters.require("course")) }
        admin.post("courses/:course/incidents/:id/resolve") { request, context in
            try await self.resolveIncident(request, course: context.parameters.require("course"), id: context.parameters.require("id"))
        }
        admin.get("courses/:course/audit") { request, context in try await self.audit(request, context.parameters.require("course")) }
    }

    /// The caller, if they may act on `course`.
    func principal(_ request: Request, course: String? = nil) async throws -> AdminPrincipal {
        let principal = try await self.authenticator.principal(request.headers)
        if let course, !principal.mayAccess(course: course) { throw AdminError.forbidden(course) }
        return principal
    }

    func requireDirectory() throws -> Directory {
        guard let directory = self.directory else { throw AdminError.noRedis }
        return directory
    }

    static func requireReason(_ reason: String?) throws -> String {
        guard let reason = reason?.trimmingCharacters(in: .whitespacesAndNewlines), !reason.isEmpty else {
            throw AdminError.invalid("reason", "say why: every change is kept in the audit log with its reason")
        }
        return reason
    }

    static func json(_ object: [String: String]) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
