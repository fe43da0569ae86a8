import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Shared
import Testing

@testable import Coordinator

/// The admin API through its router, against a real PostgreSQL (a schema of the test's own) and a real Redis.
@Suite(.timeLimit(.minutes(1)))
struct AdminAPITests {
    let database = MigratorTests()

    struct Fixture: Sendable {
        let client: any TestClientProtocol
        let connection: PostgresConnection
        let directory: Directory
        let store: QuotaStore
        let admin: String
        let staff: String
        let course: String

        func call(_ method: HTTPRequest.Method, _ uri: String, token: String?, _ body: String? = nil) async throws -> (HTTPResponse.Status, [String: Any]) {
            var headers = HTTPFields()
            if let token { headers[.authorization] = "Bearer \(token)" }
            return try await self.client.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }) { response in
                let json = (try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView))) as? [String: Any] ?? [:]
                return (response.status, json)
            }
        }
    }

    func withAPI(_ body: @escaping @Sendable (Fixture) async throws -> Void) async throws {
        let connection = try await self.database.connect()
        try await Migrator().migrate(connection)
        let redis = RedisPool(.init(endpoint: try RedisEndpoint(url: LeaderTests.redisURL)), logger: Logger(label: "test"))
        let directory = Directory(pool: redis)
        let course = "ADM-\(UInt32.random(in: 0 ... .max))"
        let admin = try await AdminToken.create(name: "uni-admin", role: .admin, courses: [], actor: "test", on: connection)
        let staff = try await AdminToken.create(name: "tutor", role: .staff, courses: [course], actor: "test", on: connection)
        let router = Router()
        AdminAPI(pool: PostgresPool(url: self.database.schemaURL), directory: directory, store: QuotaStore(pool: redis)).register(on: router)
        try await Application(router: router).test(.router) { client in
            try await body(Fixture(client: client, connection: connection, directory: directory, store: QuotaStore(pool: redis), admin: admin, staff: staff, course: course))
        }
    }

    static let policy = #"{"limit": 500000000, "unit": {"kind": "tokens"}, "period": {"length": "7d"}}"#

    @Test func staffSeeTheirCourseAndAreRefusedOthers() async throws {
        try await self.withAPI { api in
            #expect(try await api.call(.get, "/admin/v1/courses", token: nil).0 == .unauthorized)
            #expect(try await api.call(.get, "/admin/v1/courses", token: "gooseyadmin_wrong").0 == .unauthorized)
            let (status, body) = try await api.call(.put, "/admin/v1/courses/OTHER-1", token: api.admin, #"{"name": "Other", "reason": "new term"}"#)
            #expect(status == .ok && body["id"] as? String == "OTHER-1")
            let courses = try await api.call(.get, "/admin/v1/courses", token: api.staff).1["courses"] as? [[String: Any]]
            #expect(courses?.map { $0["id"] as? String } == [api.course])
            let refused = try await api.call(.get, "/admin/v1/courses/OTHER-1/audit", token: api.staff)
            #expect(refused.0 == .forbidden)
            #expect(try await api.call(.put, "/admin/v1/courses/OTHER-2", token: api.staff, #"{"reason": "x"}"#).0 == .forbidden)
        }
    }

    @Test func aPolicyReachesTheEdgesAndTheAuditLogAndBadOnesNameTheField() async throws {
        try await self.withAPI { api in
            let uri = "/admin/v1/courses/\(api.course)/policy"
            let set = try await api.call(.put, uri, token: api.staff, #"{"policy": \#(Self.policy), "reason": "week 1 allowance"}"#)
            #expect(set.0 == .ok)
            let stored = try await api.directory.policy(for: StudentRef(course: api.course, student: "anyone"))
            #expect(stored?.limit == 500_000_000)
            #expect(try await api.call(.get, uri, token: api.staff).1["policy"] != nil)

            let noReason = try await api.call(.put, uri, token: api.staff, #"{"policy": \#(Self.policy)}"#)
            #expect(noReason.0 == .badRequest && (noReason.1["error"] as? [String: Any])?["field"] as? String == "reason")
            let badLimit = try await api.call(.put, uri, token: api.staff, #"{"policy": {"unit": {"kind": "tokens"}, "period": {"length": "7d"}}, "reason": "x"}"#)
            #expect(badLimit.0 == .badRequest && (badLimit.1["error"] as? [String: Any])?["field"] as? String == "policy.limit")
            let events = try await api.call(.get, "/admin/v1/courses/\(api.course)/audit", token: api.staff).1["events"] as? [[String: Any]]
            #expect(events?.map { $0["action"] as? String } == ["policy.set"])
            #expect(events?.first?["actor"] as? String == "staff:tutor" && events?.first?["reason"] as? String == "week 1 allowance")
        }
    }

    @Test func aKeyIsIssuedOnceAndSuspendedForEveryEdgeButRevokedForGood() async throws {
        try await self.withAPI { api in
            let (status, issued) = try await api.call(.post, "/admin/v1/courses/\(api.course)/students/s42/keys", token: api.staff, #"{"reason": "enrolled"}"#)
            #expect(status == .created)
            let key = try #require(VirtualKey(parsing: issued["key"] as? String ?? ""))
            #expect(issued["keyID"] as? String == key.keyID)
            #expect(try await api.directory.key(sha256Hex: key.sha256Hex)?.state == .active)
            #expect(try await api.connection.query("SELECT state FROM keys WHERE sha256 = $1", [key.sha256Hex]).first?[0] == "active")

            let keyURI = "/admin/v1/courses/\(api.course)/keys/\(key.keyID)"
            #expect(try await api.call(.post, keyURI + "/suspend", token: api.staff, #"{"reason": "shared it"}"#).0 == .ok)
            #expect(try await api.directory.key(sha256Hex: key.sha256Hex)?.state == .suspended)
            #expect(try await api.call(.post, keyURI + "/revoke", token: api.staff, #"{"reason": "left the course"}"#).0 == .ok)
            #expect(try await api.call(.post, keyURI + "/reinstate", token: api.staff, #"{"reason": "oops"}"#).0 == .conflict)
            #expect(try await api.directory.key(sha256Hex: key.sha256Hex)?.state == .revoked)
            #expect(try await api.call(.post, keyURI + "/explode", token: api.staff, #"{"reason": "x"}"#).0 == .badRequest)
            let (rotatedStatus, rotated) = try await api.call(.post, keyURI + "/rotate", token: api.staff, #"{"reason": "x"}"#)
            #expect(rotatedStatus == .conflict && rotated["key"] == nil, "a revoked key is not rotated")

            let second = try await api.call(.post, "/admin/v1/courses/\(api.course)/students/s42/keys", token: api.staff, #"{"reason": "new laptop"}"#).1
            let secondKey = try #require(VirtualKey(parsing: second["key"] as? String ?? ""))
            let fresh = try await api.call(.post, "/admin/v1/courses/\(api.course)/keys/\(secondKey.keyID)/rotate", token: api.staff, #"{"reason": "pasted in a forum"}"#).1
            let third = try #require(VirtualKey(parsing: fresh["key"] as? String ?? ""))
            #expect(try await api.directory.key(sha256Hex: secondKey.sha256Hex)?.state == .revoked)
            #expect(try await api.directory.key(sha256Hex: third.sha256Hex)?.state == .active)
            let students = try await api.call(.get, "/admin/v1/courses/\(api.course)/students", token: api.staff).1["students"] as? [[String: Any]]
            let keys = (students?.first?["keys"] as? [[String: Any]])?.map { [$0["keyID"] as? String, $0["state"] as? String] }
            #expect(keys == [[key.keyID, "revoked"], [secondKey.keyID, "revoked"], [third.keyID, "active"]])
            let history = try await api.connection.query("SELECT state FROM key_events WHERE key_sha256 = $1 ORDER BY id", [key.sha256Hex])
            #expect(history.map { $0[0] } == ["active", "suspended", "revoked"])
            let stored = try await api.connection.query("SELECT action FROM audit_events WHERE action LIKE 'key.%' ORDER BY id")
            #expect(stored.map { $0[0] } == ["key.issued", "key.suspend", "key.revoke", "key.issued", "key.revoke", "key.issued"], "nothing from refused changes")
        }
    }

    @Test func anIncidentIsResolvedByRotatingTheKeysItSuspended() async throws {
        try await self.withAPI { api in
            let issued = try await api.call(.post, "/admin/v1/courses/\(api.course)/students/s7/keys", token: api.staff, #"{"reason": "enrolled"}"#).1
            let key = try #require(VirtualKey(parsing: issued["key"] as? String ?? ""))
            var record = IncidentTests.leakingRecord("leak-1")
            record.course = api.course
            record.leaks![0].suspendedKeys = [key.sha256Hex]
            _ = try await RecordStore().insert(try RecordBatch(ndjson: RecordStoreTests.ndjson([record])), into: api.connection)
            let incident = try #require(try await api.connection.query("SELECT id FROM incidents WHERE request_id = 'leak-1'").first?[0])
            let uri = "/admin/v1/courses/\(api.course)/incidents/\(incident)/resolve"

            #expect(try await api.call(.post, uri, token: api.staff, #"{"keys": "rotate"}"#).0 == .badRequest, "a note is required")
            let (status, resolved) = try await api.call(.post, uri, token: api.staff, #"{"note": "revoked at the console", "keys": "rotate"}"#)
            #expect(status == .ok)
            let newKeys = try #require(resolved["newKeys"] as? [[String: Any]])
            let replacement = try #require(VirtualKey(parsing: newKeys.first?["key"] as? String ?? ""))
            #expect(newKeys.count == 1 && newKeys.first?["student"] as? String == "s7")
            #expect(try await api.directory.key(sha256Hex: key.sha256Hex)?.state == .revoked)
            #expect(try await api.directory.key(sha256Hex: replacement.sha256Hex)?.state == .active)
            #expect(try await api.call(.post, uri, token: api.staff, #"{"note": "again"}"#).0 == .conflict)
            let open = try await api.call(.get, "/admin/v1/courses/\(api.course)/incidents", token: api.staff).1["incidents"] as? [Any]
            #expect(open?.isEmpty == true)
            let actions = try await api.call(.get, "/admin/v1/courses/\(api.course)/audit", token: api.staff).1["events"] as? [[String: Any]]
            #expect(actions?.map { $0["action"] as? String } == ["leak.resolved", "key.issued", "key.revoke", "leak.detected", "key.issued"])
        }
    }

    @Test func aRevokedAdminTokenStopsWorkingAtOnce() async throws {
        try await self.withAPI { api in
            #expect(try await api.call(.get, "/admin/v1/tokens", token: api.staff).0 == .forbidden)
            let listed = try await api.call(.get, "/admin/v1/tokens", token: api.admin).1["tokens"] as? [[String: Any]]
            let tutor = try #require(listed?.last { $0["name"] as? String == "tutor" }?["id"] as? Int64)
            #expect(listed?.allSatisfy { $0["token"] == nil } == true, "tokens are listed without the token")
            #expect(try await api.call(.post, "/admin/v1/tokens/\(tutor)/revoke", token: api.admin, "{}").0 == .badRequest, "a reason is required")
            #expect(try await api.call(.post, "/admin/v1/tokens/\(tutor)/revoke", token: api.admin, #"{"reason": "left the course"}"#).0 == .ok)
            #expect(try await api.call(.get, "/admin/v1/courses", token: api.staff).0 == .unauthorized)
            #expect(try await api.call(.post, "/admin/v1/tokens/\(tutor)/revoke", token: api.admin, #"{"reason": "again"}"#).0 == .conflict)
            #expect(try await api.call(.post, "/admin/v1/tokens/999999999/revoke", token: api.admin, #"{"reason": "x"}"#).0 == .notFound)
            let audit = try await api.connection.query("SELECT actor, reason FROM audit_events WHERE action = 'admin_token.revoked' AND target = $1", ["admin_token:\(tutor)"])
            #expect(audit.map { [$0[0], $0[1]] } == [["admin:uni-admin", "left the course"]])
        }
    }

    @Test func aKeyPastedFromAnotherCourseIsLeftToThatCoursesStaff() async throws {
        try await self.withAPI { api in
            let other = api.course + "-Y"
            _ = try await api.call(.put, "/admin/v1/courses/\(other)", token: api.admin, #"{"reason": "second course"}"#)
            let theirs = try await api.call(.post, "/admin/v1/courses/\(other)/students/y1/keys", token: api.admin, #"{"reason": "enrolled"}"#).1
            let ours = try await api.call(.post, "/admin/v1/courses/\(api.course)/students/s8/keys", token: api.staff, #"{"reason": "enrolled"}"#).1
            let theirKey = try #require(VirtualKey(parsing: theirs["key"] as? String ?? ""))
            let ourKey = try #require(VirtualKey(parsing: ours["key"] as? String ?? ""))
            try await api.directory.setKeyState(sha256Hex: theirKey.sha256Hex, .suspended)
            try await api.directory.setKeyState(sha256Hex: ourKey.sha256Hex, .suspended)
            var record = IncidentTests.leakingRecord("leak-cross")
            record.course = api.course
            record.leaks![0].suspendedKeys = [ourKey.sha256Hex, theirKey.sha256Hex]
            record.leaks![0].owner = StudentRef(course: other, student: "y1")
            _ = try await RecordStore().insert(try RecordBatch(ndjson: RecordStoreTests.ndjson([record])), into: api.connection)
            let incident = try #require(try await api.connection.query("SELECT id FROM incidents WHERE request_id = 'leak-cross'").first?[0])

            let resolved = try await api.call(
                .post, "/admin/v1/courses/\(api.course)/incidents/\(incident)/resolve", token: api.staff, #"{"note": "told them", "keys": "reinstate"}"#
            )
            #expect(resolved.0 == .ok)
            #expect(try await api.directory.key(sha256Hex: ourKey.sha256Hex)?.state == .active)
            #expect(try await api.directory.key(sha256Hex: theirKey.sha256Hex)?.state == .suspended, "another course's key is its staff's to reinstate")
            let seen = try await api.call(.get, "/admin/v1/courses/\(other)/incidents?all=true", token: api.admin).1["incidents"] as? [Any]
            #expect(seen?.count == 1, "the key's own course sees the incident")
        }
    }

    @Test func reinstatingAfterALeakLeavesAKeyRevokedSinceRevokedAndReinstatesTheRest() async throws {
        try await self.withAPI { api in
            var keys: [VirtualKey] = []
            for student in ["r1", "r2"] {
                let issued = try await api.call(.post, "/admin/v1/courses/\(api.course)/students/\(student)/keys", token: api.staff, #"{"reason": "enrolled"}"#).1
                let key = try #require(VirtualKey(parsing: issued["key"] as? String ?? ""))
                try await api.directory.setKeyState(sha256Hex: key.sha256Hex, .suspended)
                keys.append(key)
            }
            var record = IncidentTests.leakingRecord("leak-revoked-since")
            record.course = api.course
            record.leaks![0].suspendedKeys = keys.map(\.sha256Hex)
            _ = try await RecordStore().insert(try RecordBatch(ndjson: RecordStoreTests.ndjson([record])), into: api.connection)
            let incident = try #require(try await api.connection.query("SELECT id FROM incidents WHERE request_id = 'leak-revoked-since'").first?[0])
            let revoked = try await api.call(.post, "/admin/v1/courses/\(api.course)/keys/\(keys[1].keyID)/revoke", token: api.staff, #"{"reason": "rotated"}"#)
            #expect(revoked.0 == .ok)

            let resolved = try await api.call(
                .post, "/admin/v1/courses/\(api.course)/incidents/\(incident)/resolve", token: api.staff, #"{"note": "a mistake", "keys": "reinstate"}"#
            )
            #expect(resolved.0 == .ok)
            for (key, state) in zip(keys, [KeyState.active, .revoked]) {
                #expect(try await api.directory.key(sha256Hex: key.sha256Hex)?.state == state)
                let stored = try await api.connection.query("SELECT state FROM keys WHERE sha256 = $1", [key.sha256Hex]).first?[0]
                #expect(stored == state.rawValue, "Postgres agrees with Redis")
            }
        }
    }

    @Test func aWholeKeyWhereItsKeyIDBelongsIsRefusedWithoutRepeatingIt() async throws {
        try await self.withAPI { api in
            let issued = try await api.call(.post, "/admin/v1/courses/\(api.course)/students/p1/keys", token: api.staff, #"{"reason": "enrolled"}"#).1
            let key = try #require(issued["key"] as? String)
            let (status, body) = try await api.call(.post, "/admin/v1/courses/\(api.course)/keys/\(key)/suspend", token: api.staff, #"{"reason": "x"}"#)
            #expect(status == .badRequest)
            let text = String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)
            let keyID = try #require(VirtualKey(parsing: key)).keyID
            #expect(!text.contains(key) && text.contains(keyID), "\(text)")
            #expect(try await api.call(.post, "/admin/v1/courses/\(api.course)/keys/not-a-key-id/suspend", token: api.staff, #"{"reason": "x"}"#).0 == .badRequest)
        }
    }

    @Test func aGrantRaisesTheStudentsBalanceForThisPeriodAndIsLedgered() async throws {
        try await self.withAPI { api in
            _ = try await api.call(.put, "/admin/v1/courses/\(api.course)/policy", token: api.staff, #"{"policy": \#(Self.policy), "reason": "term"}"#)
            _ = try await api.call(.post, "/admin/v1/courses/\(api.course)/students/s9/keys", token: api.staff, #"{"reason": "enrolled"}"#)
            let uri = "/admin/v1/courses/\(api.course)/students/s9/grants"
            #expect(try await api.call(.post, uri, token: api.staff, #"{"amount": "5usd", "reason": "x"}"#).0 == .badRequest, "wrong unit")
            #expect(try await api.call(.post, uri, token: api.staff, #"{"amount": "lots", "reason": "x"}"#).0 == .badRequest)
            #expect(try await api.call(.post, "/admin/v1/courses/\(api.course)/students/nobody/grants", token: api.staff, #"{"amount": "1k", "reason": "x"}"#).0 == .notFound)
            let (status, granted) = try await api.call(.post, uri, token: api.staff, #"{"amount": "200k", "reason": "deadline rescue"}"#)
            #expect(status == .created && granted["total"] as? String == "700k")
            let policy = try #require(try await api.directory.policy(for: StudentRef(course: api.course, student: "s9")))
            let balance = try await api.store.balance(StudentRef(course: api.course, student: "s9"), policy: policy, window: policy.period.window(containing: Date())).0
            #expect(balance.total == 700_000_000)
            let row = try await api.connection.query("SELECT amount, reason, actor FROM grants WHERE student_id = 's9'")
            #expect(row.first?.values == ["200000000", "deadline rescue", "staff:tutor"])
        }
    }

    @Test func usageIsReportedPerStudentWithinTheDatesAsked() async throws {
        try await self.withAPI { api in
            var november = RecordStoreTests.record("u1", at: 1_763_464_000_000, input: 100)  // 2025-11-18
            november.course = api.course
            var december = RecordStoreTests.record("u2", at: 1_764_664_000_000, input: 40)  // 2025-12-02
            december.course = api.course
            var refused = RecordStoreTests.record("u3", at: 1_764_664_000_100, input: 0)
            (refused.course, refused.status) = (api.course, 429)
            _ = try await RecordStore().insert(try RecordBatch(ndjson: RecordStoreTests.ndjson([november, december, refused])), into: api.connection)
            let all = try await api.call(.get, "/admin/v1/courses/\(api.course)/usage", token: api.staff).1["usage"] as? [[String: Any]]
            #expect(all?.count == 1 && all?.first?["requests"] as? Int == 3 && all?.first?["refusals"] as? Int == 1)
            #expect(all?.first?["inputTokens"] as? Int == 140 && all?.first?["usd"] as? String != nil)
            let recent = try await api.call(.get, "/admin/v1/courses/\(api.course)/usage?since=2025-12-01&until=2025-12-31", token: api.staff).1["usage"] as? [[String: Any]]
            #expect(recent?.first?["inputTokens"] as? Int == 40)
            _ = try await api.call(.put, "/admin/v1/courses/\(api.course)/policy", token: api.staff, #"{"policy": \#(Self.policy), "reason": "term"}"#)
            var today = RecordStoreTests.record("u4", at: Int64(Date().timeIntervalSince1970 * 1000), input: 7)
            (today.course, today.student) = (api.course, "s2")
            _ = try await RecordStore().insert(try RecordBatch(ndjson: RecordStoreTests.ndjson([today])), into: api.connection)
            let current = try await api.call(.get, "/admin/v1/courses/\(api.course)/usage?period=current", token: api.staff).1["usage"] as? [[String: Any]]
            #expect(current?.map { $0["key"] as? String } == ["s2"], "only this period's request")
            let byDay = try await api.call(.get, "/admin/v1/courses/\(api.course)/usage?by=day&until=2025-12-31", token: api.staff).1["usage"] as? [[String: Any]]
            #expect(byDay?.map { $0["key"] as? String } == ["2025-11-18", "2025-12-02"])
            #expect(byDay?.last?["firstRefusalAt"] as? String == "2025-12-02T08:26:40Z" && byDay?.first?["firstRefusalAt"] == nil)
            #expect(try await api.call(.get, "/admin/v1/courses/\(api.course)/usage?period=last", token: api.staff).0 == .badRequest)
            let bad = try await api.call(.get, "/admin/v1/courses/\(api.course)/usage?since=yesterday", token: api.staff)
            #expect(bad.0 == .badRequest && (bad.1["error"] as? [String: Any])?["field"] as? String == "since")
        }
    }

    static func roster(_ students: [(String, String?, Bool)]) -> String {
        let rows = students.map { id, group, consent in
            #"{"id": "\#(id)", "name": "Student \#(id)", "email": "\#(id)@uni.example", "group": \#(group.map { "\"\($0)\"" } ?? "null"), "researchConsent": \#(consent)}"#
        }
        return "[" + rows.joined(separator: ",") + "]"
    }

    @Test func aRosterSyncIsAppliedWholeAndASecondRunChangesNothing() async throws {
        try await self.withAPI { api in
            let uri = "/admin/v1/courses/\(api.course)/enrolments"
            let first = Self.roster([("a1", "studio-a", true), ("a2", "studio-a", false), ("b1", "studio-b", false)])
            let dry = try await api.call(.post, uri, token: api.staff, #"{"students": \#(first), "dryRun": true}"#).1
            #expect((dry["plan"] as? [String: Any])?["new"] as? [String] == ["a1", "a2", "b1"] && dry["applied"] as? Bool == false)
            #expect(try await api.connection.query("SELECT count(*) FROM students").first?[0] == "0", "a dry run applies nothing")

            let (status, applied) = try await api.call(.post, uri, token: api.staff, #"{"students": \#(first), "reason": "week 1 roster"}"#)
            #expect(status == .ok && applied["applied"] as? Bool == true)
            let keys = try #require(applied["keys"] as? [[String: Any]]).compactMap { VirtualKey(parsing: $0["key"] as? String ?? "") }
            #expect(keys.count == 3)
            for key in keys { #expect(try await api.directory.key(sha256Hex: key.sha256Hex)?.state == .active) }

            let again = try await api.call(.post, uri, token: api.staff, #"{"students": \#(first), "reason": "same roster"}"#).1
            #expect(again["applied"] as? Bool == false && (again["keys"] as? [Any])?.isEmpty == true)

            let second = Self.roster([("a1", "studio-b", true), ("a2", "studio-a", true)])
            let changed = try await api.call(.post, uri, token: api.staff, #"{"students": \#(second), "reason": "week 3 roster"}"#).1
            let plan = try #require(changed["plan"] as? [String: Any])
            #expect(plan["dropped"] as? [String] == ["b1"] && plan["updated"] as? [String] == ["a2"])
            #expect((plan["moved"] as? [[String: Any]])?.first?["to"] as? String == "studio-b")
            let states = try await keys.asyncMap { try await api.directory.key(sha256Hex: $0.sha256Hex) }
            #expect(states.map { [$0?.student.student, $0?.state.rawValue] } == [["a1", "active"], ["a2", "active"], ["b1", "revoked"]])
            let groups = try await api.call(.get, "/admin/v1/courses/\(api.course)/groups", token: api.staff).1["groups"] as? [[String: Any]]
            #expect(groups?.map { [$0["name"] as? String, "\($0["students"] ?? "")"] } == [["studio-a", "1"], ["studio-b", "1"]])

            let twice = Self.roster([("a1", nil, false), ("a1", nil, false)])
            let bad = try await api.call(.post, uri, token: api.staff, #"{"students": \#(twice), "reason": "x"}"#)
            #expect(bad.0 == .badRequest && (bad.1["error"] as? [String: Any])?["field"] as? String == "students[1].id")
        }
    }

    static func lineWithBodies(
        _ record: RequestRecord, request: String = #"{"model":"claude-sonnet-4-5","messages":[{"role":"user","content":"hello"}]}"#
    ) throws -> Data {
        var line = try JSONEncoder().encode(record)
        line.removeLast()
        line.append(contentsOf: Array(#","request":\#(request),"response":"event: message_stop\n\n"}"#.utf8))
        line.append(0x0A)
        return line
    }

    func exported(_ api: Fixture, course: String) async throws -> (String?, [[String: Any]]) {
        var headers = HTTPFields()
        headers[.authorization] = "Bearer \(api.admin)"
        return try await api.client.execute(uri: "/admin/v1/courses/\(course)/export?since=2025-01-01", method: .get, headers: headers) { response in
            let lines = String(buffer: response.body).split(separator: "\n")
            let objects = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            return (response.headers[HTTPField.Name("x-goosey-records")!], objects)
        }
    }

    @Test func theResearchExportHoldsOnlyConsentingStudentsUnderCoursePseudonyms() async throws {
        try await self.withAPI { api in
            let other = "ADM-OTHER-\(UInt32.random(in: 0 ... .max))"
            _ = try await api.call(.put, "/admin/v1/courses/\(other)", token: api.admin, #"{"reason": "second course"}"#)
            for course in [api.course, other] {
                let roster = Self.roster([("a1", nil, true), ("a2", nil, false)])
                _ = try await api.call(.post, "/admin/v1/courses/\(course)/enrolments", token: api.admin, #"{"students": \#(roster), "reason": "r"}"#)
                var lines = Data()
                for (index, student) in ["a1", "a2"].enumerated() {
                    var record = RecordStoreTests.record("\(course)-\(student)", at: 1_763_464_000_000 + Int64(index))
                    (record.course, record.student) = (course, student)
                    lines.append(try Self.lineWithBodies(record))
                }
                _ = try await RecordStore().insert(try RecordBatch(ndjson: lines), into: api.connection)
            }
            let (count, lines) = try await self.exported(api, course: api.course)
            #expect(count == "1" && lines.count == 1, "a2 did not consent")
            let line = try #require(lines.first)
            let pseudonym = try #require(line["student"] as? String)
            #expect(pseudonym.hasPrefix("s_") && pseudonym != "a1" && (line["session"] as? String)?.hasPrefix("c_") == true)
            #expect(((line["request"] as? [String: Any])?["messages"] as? [Any])?.count == 1)
            #expect(line["response"] as? String == "event: message_stop\n\n" && line["keyID"] == nil)
            #expect(try await self.exported(api, course: api.course).1.first?["student"] as? String == pseudonym, "stable within the course")
            #expect(try await self.exported(api, course: other).1.first?["student"] as? String != pseudonym, "unlinkable across courses")
        }
    }

    @Test func theResearchExportDropsClaudeCodesUserIDAndTheRawSessionID() async throws {
        try await self.withAPI { api in
            let roster = Self.roster([("a1", nil, true)])
            _ = try await api.call(.post, "/admin/v1/courses/\(api.course)/enrolments", token: api.admin, #"{"students": \#(roster), "reason": "r"}"#)
            var record = RecordStoreTests.record("\(api.course)-a1", at: 1_763_464_000_000)
            (record.course, record.student, record.claudeCodeSessionID) = (api.course, "a1", "3f6c1e9a-0b7d-4c55-9d1e-5a2b8c7d6e4f")
            let body = #"{"model":"claude-sonnet-4-5","metadata":{"user_id":"user_9a8b7c6d5e4f_account__session_3f6c1e9a-0b7d-4c55-9d1e-5a2b8c7d6e4f"},"#
                + #""system":"session 3f6c1e9a-0b7d-4c55-9d1e-5a2b8c7d6e4f","messages":[{"role":"user","content":"hello"}]}"#
            _ = try await RecordStore().insert(try RecordBatch(ndjson: try Self.lineWithBodies(record, request: body)), into: api.connection)
            let line = try #require(try await self.exported(api, course: api.course).1.first)
            let text = String(decoding: try JSONSerialization.data(withJSONObject: line), as: UTF8.self)
            #expect(!text.contains("3f6c1e9a") && !text.contains("9a8b7c6d5e4f"), "\(text)")
            let request = try #require(line["request"] as? [String: Any])
            #expect((request["metadata"] as? [String: Any])?.isEmpty == true)
            #expect(request["system"] as? String == "session \(try #require(line["session"] as? String))")
        }
    }

    @Test func anUnreachableDatabaseIsA503ThatSaysToTryAgain() async throws {
        let router = Router()
        AdminAPI(pool: PostgresPool(url: "postgres://goosey@127.0.0.1:1/nowhere?connect_timeout=2"), directory: nil).register(on: router)
        try await Application(router: router).test(.router) { client in
            var headers = HTTPFields()
            headers[.authorization] = "Bearer gooseyadmin_anything"
            try await client.execute(uri: "/admin/v1/courses", method: .get, headers: headers) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(String(buffer: response.body).contains("try again shortly"))
            }
        }
    }

    @Test func theOpenAPIDocumentDescribesEveryRoute() async throws {
        try await self.withAPI { api in
            let (status, document) = try await api.call(.get, "/openapi.json", token: nil)
            #expect(status == .ok && document["openapi"] as? String == "3.1.0")
            let paths = (document["paths"] as? [String: Any])?.keys.sorted()
            #expect(paths?.contains("/admin/v1/courses/{course}/keys/{keyID}/{action}") == true)
            #expect(paths?.count == 17)
        }
    }
}

extension Array {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
