import Configuration
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Shared
import Testing

@testable import Coordinator

/// `POST /v1/ingest` through the coordinator's router, into a real PostgreSQL (a schema of the test's own).
@Suite(.timeLimit(.minutes(1)))
struct IngestRouteTests {
    let database = MigratorTests()
    static let token = "ingest-token-for-tests-0123456789"

    func withCoordinator(
        redisURL: String? = nil, _ body: @escaping @Sendable (any TestClientProtocol, PostgresConnection) async throws -> Void
    ) async throws {
        let connection = try await self.database.connect()
        try await Migrator().migrate(connection)
        let url = self.database.schemaURL
        var values: [AbsoluteConfigKey: ConfigValue] = [
            "postgres.url": .init(.string(url), isSecret: true),
            "ingest.token": .init(.string(Self.token), isSecret: true),
        ]
        if let redisURL { values["redis.url"] = .init(.string(redisURL), isSecret: true) }
        let reader = ConfigReader(provider: InMemoryProvider(values: values))
        let app = buildCoordinator(try CoordinatorConfiguration(reader: reader), logger: Logger(label: "test"))
        try await app.test(.router) { client in try await body(client, connection) }
    }

    static func post(
        _ client: any TestClientProtocol, _ body: Data, token: String? = token, encoding: String? = nil
    ) async throws -> (HTTPResponse.Status, String) {
        var headers = HTTPFields()
        if let token { headers[.authorization] = "Bearer \(token)" }
        if let encoding { headers[.contentEncoding] = encoding }
        let bytes = encoding == "gzip" ? try Gzip.compress(body) : ByteBuffer(bytes: body)
        return try await client.execute(uri: "/v1/ingest", method: .post, headers: headers, body: bytes) {
            ($0.status, String(buffer: $0.body))
        }
    }

    @Test func shippingASegmentTwiceStoresItsRecordsOnce() async throws {
        try await self.withCoordinator { client, connection in
            let batch = try RecordStoreTests.ndjson([RecordStoreTests.record("x", at: 1_795_000_000_000), RecordStoreTests.record("y", at: 1_795_000_000_500)])
            let first = try await Self.post(client, batch)
            #expect(first.0 == .ok)
            #expect(first.1 == #"{"inserted":2,"received":2}"#)
            let again = try await Self.post(client, batch)
            #expect(again.1 == #"{"inserted":0,"received":2}"#)
            #expect(try await connection.query("SELECT count(*) FROM requests").first?[0] == "2")
        }
    }

    /// The edge could not suspend the keys (Redis was unreachable), or a Redis rebuilt from Postgres before the
    /// record came has them active again: the leak's keys are suspended in Redis once the record is stored.
    @Test func aLeaksKeysAreSuspendedInRedisOnceTheRecordIsStored() async throws {
        let redisURL = LeaderTests.redisURL + "/10"
        let redis = RedisPool(.init(endpoint: try RedisEndpoint(url: redisURL)), logger: Logger(label: "test"))
        _ = try await redis.withConnection { try await $0.command(["FLUSHDB"]) }
        let directory = Directory(pool: redis)
        try await self.withCoordinator(redisURL: redisURL) { client, connection in
            let hash = String(repeating: "ab", count: 32)
            try await connection.execute("INSERT INTO courses (id) VALUES ('C1')")
            try await connection.execute("INSERT INTO students (course_id, id) VALUES ('C1', 's1')")
            try await connection.execute("INSERT INTO keys (sha256, key_id, course_id, student_id, state) VALUES ($1, 'abababababab', 'C1', 's1', 'active')", [hash])
            try await directory.issueKey(sha256Hex: hash, record: KeyRecord(student: StudentRef(course: "C1", student: "s1"), state: .active, keyID: "abababababab"))
            let shipped = try await Self.post(client, try RecordStoreTests.ndjson([IncidentTests.leakingRecord("leaked")]))
            #expect(shipped.0 == .ok)
            #expect(try await directory.key(sha256Hex: hash)?.state == .suspended)
        }
    }

    /// A request served while Redis was unreachable holds no lease: its charge reaches the balance through the
    /// leader's reconciliation, once, however often its record ships and whether or not its edge settles it too.
    @Test func aChargeServedWithoutRedisIsSettledOnceFromItsRecord() async throws {
        let redisURL = LeaderTests.redisURL + "/11"
        let redis = RedisPool(.init(endpoint: try RedisEndpoint(url: redisURL)), logger: Logger(label: "test"))
        _ = try await redis.withConnection { try await $0.command(["FLUSHDB"]) }
        let (directory, store) = (Directory(pool: redis), QuotaStore(pool: redis))
        let policy = QuotaPolicy(limit: 1_000_000, period: try PeriodSpec(period: "7d"), carryOver: .none, overspend: .forgive)
        try await directory.setPolicy(policy, course: "C1")
        let database = self.database
        try await self.withCoordinator(redisURL: redisURL) { client, connection in
            let recent = Int64((Date().timeIntervalSince1970 - 60) * 1000)
            var record = RecordStoreTests.record("served-without-redis", at: recent)
            (record.charge, record.failOpen) = (5_000, true)
            var metered = RecordStoreTests.record("metered", at: recent + 1)
            metered.charge = 7_000
            var old = RecordStoreTests.record("served-two-days-ago", at: recent - 2 * 86_400_000)
            (old.charge, old.failOpen) = (9_000, true)  // its edge may have settled it: Redis no longer remembers
            let batch = try RecordStoreTests.ndjson([record, metered, old])
            #expect(try await Self.post(client, batch).0 == .ok)
            #expect(try await Self.post(client, batch).0 == .ok, "shipped again")
            let reconciler = LeaseReconciler(store: store, directory: directory, pool: PostgresPool(url: database.schemaURL))
            let later = Date().addingTimeInterval(60)
            #expect(try await reconciler.reconcile(now: later, logger: Logger(label: "test")) == 1)
            #expect(try await reconciler.reconcile(now: later, logger: Logger(label: "test")) == 0)
            let week = policy.period.window(containing: Date(timeIntervalSince1970: Double(recent) / 1000))
            let (balance, _) = try await store.balance(StudentRef(course: "C1", student: "s1"), policy: policy, window: week)
            #expect(balance.used == 5_000 && balance.held == 0, "the metered request's charge is its lease's to settle, not this")
            _ = connection
        }
    }

    @Test func aWrongTokenOrABadLineStoresNothing() async throws {
        try await self.withCoordinator { client, connection in
            let batch = try RecordStoreTests.ndjson([RecordStoreTests.record("x", at: 1_795_000_000_000)])
            #expect(try await Self.post(client, batch, token: nil).0 == .unauthorized)
            #expect(try await Self.post(client, batch, token: "ingest-token-for-tests-0123456780").0 == .unauthorized)
            let bad = try await Self.post(client, batch + Data("{\"id\": 1}\n".utf8))
            #expect(bad.0 == .badRequest)
            #expect(bad.1.contains("line 2"))
            #expect(try await connection.query("SELECT count(*) FROM requests").first?[0] == "0")
        }
    }

    @Test func gzipShipmentsAreTakenAndBrokenOnesRefused() async throws {
        try await self.withCoordinator { client, connection in
            let batch = try RecordStoreTests.ndjson((0..<50).map { RecordStoreTests.record("g\($0)", at: 1_795_000_000_000 + Int64($0)) })
            let compressed = try Gzip.compress(batch)
            #expect(compressed.readableBytes * 4 < batch.count, "records compress several-fold")
            let taken = try await Self.post(client, batch, encoding: "gzip")
            #expect(taken.0 == .ok && taken.1 == #"{"inserted":50,"received":50}"#)
            var headers = HTTPFields()
            headers[.authorization] = "Bearer \(Self.token)"
            headers[.contentEncoding] = "gzip"
            let corrupt = try await client.execute(uri: "/v1/ingest", method: .post, headers: headers, body: ByteBuffer(bytes: batch)) { $0.status }
            #expect(corrupt == .badRequest)
            #expect(try await Self.post(client, batch, encoding: "br").0 == .unsupportedMediaType)
            #expect(try await connection.query("SELECT count(*) FROM requests").first?[0] == "50")
        }
    }

    @Test func aShipmentThatInflatesPastTheLimitIsRefusedNotUnpacked() throws {
        let bomb = try Gzip.compress([UInt8](repeating: 0, count: 4 << 20))
        #expect(bomb.readableBytes < 64 << 10)
        #expect(throws: Gzip.Failure.tooLarge(limit: 1 << 20)) { try Gzip.decompress(bomb, maxSize: 1 << 20) }
        #expect(try Gzip.decompress(bomb, maxSize: 8 << 20).readableBytes == 4 << 20)
    }
}
