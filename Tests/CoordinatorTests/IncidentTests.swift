import Foundation
import Hummingbird
import Logging
import NIOCore
import Shared
import Synchronization
import Testing

@testable import Coordinator

/// Leak incidents from shipped records, and their alerts to a live webhook, in a real PostgreSQL.
@Suite(.timeLimit(.minutes(1)))
struct IncidentTests {
    let database = MigratorTests()

    static func leakingRecord(_ id: String, isNew: Bool = true) -> RequestRecord {
        var record = RecordStoreTests.record(id, at: 1_795_000_000_000)
        record.status = 403
        record.leaks = [
            LeakNote(
                kind: "anthropic-api-key", family: .anthropicKey, fingerprint: "a1b2c3d4e5f6", location: "messages[2].content[0].content",
                action: .blocked, isNew: isNew, suspendedKeys: [String(repeating: "ab", count: 32)]
            ),
        ]
        return record
    }

    @Test func aNewLeakOpensOneIncidentWithItsAlertAndAuditEventHoweverOftenItShips() async throws {
        let connection = try await self.database.connect()
        try await Migrator().migrate(connection)
        let batch = try RecordBatch(ndjson: RecordStoreTests.ndjson([Self.leakingRecord("r1"), Self.leakingRecord("r2", isNew: false)]))
        _ = try await RecordStore().insert(batch, into: connection)
        _ = try await RecordStore().insert(batch, into: connection)
        let incidents = try await connection.query("SELECT request_id, kind, location, action, suspended_keys FROM incidents")
        #expect(incidents.map { $0["request_id"] } == ["r1"])
        #expect(incidents.first?["location"] == "messages[2].content[0].content" && incidents.first?["action"] == "blocked")
        #expect(try await connection.query("SELECT count(*) FROM alerts").first?[0] == "1")
        let audit = try await connection.query("SELECT actor, action FROM audit_events")
        #expect(audit.map { [$0["actor"], $0["action"]] } == [["edge:edge-a", "leak.detected"]])
    }

    @Test func aKeyAnEdgeSuspendedIsSuspendedInPostgresToo() async throws {
        let connection = try await self.database.connect()
        try await Migrator().migrate(connection)
        let hash = String(repeating: "ab", count: 32)
        try await connection.execute("INSERT INTO courses (id) VALUES ('C1')")
        try await connection.execute("INSERT INTO students (course_id, id) VALUES ('C1', 's1')")
        try await connection.execute("INSERT INTO keys (sha256, key_id, course_id, student_id, state) VALUES ($1, 'abababababab', 'C1', 's1', 'active')", [hash])
        _ = try await RecordStore().insert(try RecordBatch(ndjson: RecordStoreTests.ndjson([Self.leakingRecord("r1")])), into: connection)
        #expect(try await connection.query("SELECT state FROM keys").first?[0] == "suspended")
        let events = try await connection.query("SELECT state, actor FROM key_events")
        #expect(events.map(\.values) == [["suspended", "edge:edge-a"]])
        try await connection.execute("UPDATE keys SET state = 'active'")  // staff reinstated it
        _ = try await RecordStore().insert(try RecordBatch(ndjson: RecordStoreTests.ndjson([Self.leakingRecord("r1")])), into: connection)
        #expect(try await connection.query("SELECT state FROM keys").first?[0] == "active", "the same record shipped again suspends nothing")
    }

    @Test func anAlertIsRetriedUntilTheWebhookTakesIt() async throws {
        let connection = try await self.database.connect()
        try await Migrator().migrate(connection)
        _ = try await RecordStore().insert(try RecordBatch(ndjson: RecordStoreTests.ndjson([Self.leakingRecord("r1")])), into: connection)
        try await WebhookReceiver.run(failing: 1) { receiver in
            let dispatcher = AlertDispatcher(
                pool: PostgresPool(url: self.database.schemaURL), webhookURL: receiver.url,
                logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }), firstRetry: .milliseconds(1)
            )
            let deadline = ContinuousClock.now + .seconds(10)
            while try await connection.query("SELECT delivered_at FROM alerts").first?[0] == nil, ContinuousClock.now < deadline {
                try await dispatcher.deliverDue()
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(try await connection.query("SELECT attempts FROM alerts").first?[0] == "2")
            let bodies = receiver.bodies
            #expect(bodies.count == 2)
            let alert = try #require(try JSONSerialization.jsonObject(with: Data(bodies.last!.utf8)) as? [String: Any])
            #expect((alert["text"] as? String)?.contains("anthropic-api-key") == true)
            let incident = try #require(alert["incident"] as? [String: Any])
            #expect(incident["fingerprint"] as? String == "a1b2c3d4e5f6" && incident["student"] as? String == "s1")
            #expect(incident["suspendedKeyIDs"] as? [String] == ["abababababab"])
            try await dispatcher.deliverDue()
            #expect(receiver.bodies.count == 2, "a delivered alert is not sent again")
        }
    }
}

/// A webhook on a loopback port that answers 500 to its first `failing` posts and 200 after, keeping each body.
final class WebhookReceiver: Sendable {
    private let received = Mutex<[String]>([])
    private let port = Mutex<Int?>(nil)
    private let failing: Int

    var bodies: [String] { self.received.withLock { $0 } }
    var url: String { "http://127.0.0.1:\(self.port.withLock { $0 } ?? 0)/hook" }

    private init(failing: Int) {
        self.failing = failing
    }

    /// Takes one post; whether to accept it.
    private func take(_ body: String) -> Bool {
        self.received.withLock { $0.append(body); return $0.count > self.failing }
    }

    static func run(failing: Int, _ body: @Sendable (WebhookReceiver) async throws -> Void) async throws {
        let receiver = WebhookReceiver(failing: failing)
        let router = Router()
        router.post("/hook") { request, _ -> HTTPResponse.Status in
            let text = String(buffer: try await request.body.collect(upTo: 1 << 20))
            return receiver.take(text) ? .ok : .internalServerError
        }
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in receiver.port.withLock { $0 = channel.localAddress?.port } },
            logger: Logger(label: "webhook", factory: { _ in SwiftLogNoOpLogHandler() })
        )
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService(gracefulShutdownSignals: []) }
            while receiver.port.withLock({ $0 }) == nil { try await Task.sleep(for: .milliseconds(5)) }
            try await body(receiver)
            group.cancelAll()
        }
    }
}
