import Foundation
import Logging
import Shared
import Testing

@testable import Coordinator

/// Redis rebuilt from Postgres after it lost its data, against a real PostgreSQL and a Redis database of the suite's own.
@Suite(.timeLimit(.minutes(1)), .serialized)
struct RedisRebuilderTests {
    let database = MigratorTests()

    func fixture() async throws -> (PostgresConnection, RedisRebuilder, Directory, QuotaStore) {
        let connection = try await self.database.connect()
        try await Migrator().migrate(connection)
        var endpoint = try RedisEndpoint(url: LeaderTests.redisURL)
        endpoint.database = 8
        let redis = RedisPool(.init(endpoint: endpoint), logger: Logger(label: "test"))
        _ = try await redis.withConnection { try await $0.command(["FLUSHDB"]) }
        let (directory, store) = (Directory(pool: redis), QuotaStore(pool: redis))
        return (connection, RedisRebuilder(pool: PostgresPool(url: self.database.schemaURL), directory: directory, store: store), directory, store)
    }

    @Test func keysPoliciesAndThisPeriodsBalanceComeBackFromPostgres() async throws {
        let (connection, rebuilder, directory, store) = try await self.fixture()
        let now = Date()
        let policy = QuotaPolicy(limit: 1_000_000, period: try PeriodSpec(period: "7d"), carryOver: .all)
        let window = policy.period.window(containing: now)
        let student = StudentRef(course: "RB1", student: "s1")
        let key = VirtualKey.generate()
        try await connection.execute("INSERT INTO courses (id) VALUES ('RB1')")
        try await connection.execute("INSERT INTO students (course_id, id) VALUES ('RB1', 's1')")
        try await connection.execute("INSERT INTO policies (course_id, policy) VALUES ('RB1', $1::jsonb)", [String(decoding: try policy.jsonData(), as: UTF8.self)])
        try await connection.execute(
            "INSERT INTO keys (sha256, key_id, course_id, student_id, state) VALUES ($1, $2, 'RB1', 's1', 'suspended')", [key.sha256Hex, key.keyID]
        )
        try await connection.execute(
            "INSERT INTO grants (course_id, student_id, period_index, amount, reason, actor) VALUES ('RB1', 's1', $1, 50000, 'rescue', 't')",
            [String(window.index)]
        )
        try await connection.execute(
            """
            INSERT INTO periods (course_id, student_id, period_index, starts_at, ends_at, allocation, carry_in, granted, used)
            VALUES ('RB1', 's1', $1, now() - interval '14 days', now() - interval '7 days', 1000000, 0, 0, 700000)
            """,
            [String(window.index - 1)]
        )
        var record = RecordStoreTests.record("rb-1", at: Int64(now.timeIntervalSince1970 * 1000))
        (record.course, record.student, record.charge) = ("RB1", "s1", 120_000)
        record.reserveDraw = ReserveDraw(amount: 25_000, periodIndex: window.index)  // granted in Redis as it was admitted
        _ = try await RecordStore().insert(try RecordBatch(ndjson: RecordStoreTests.ndjson([record])), into: connection)

        let restored = try #require(try await rebuilder.rebuildIfLost(now: now))
        #expect(restored == RedisRebuilder.Restored(keys: 1, policies: 1, balances: 1))
        #expect(try await directory.key(sha256Hex: key.sha256Hex)?.state == .suspended)
        #expect(try await directory.policy(for: student) == policy)
        let balance = try await store.balance(student, policy: policy, window: window).0
        #expect(balance.used == 120_000)
        #expect(balance.total == 1_000_000 + 300_000 + 50_000 + 25_000, "allocation, carry from the ledger, grants, the reserve draw")
        #expect(try await rebuilder.rebuildIfLost(now: now) == nil, "the marker says Redis is whole")

        // An edge's settle of that request, waiting for Redis to come back, arrives after the rebuild: counted once.
        let late = try await store.settle(student, policy: policy, window: window, leaseID: "rb-1", charge: 120_000, usage: TokenUsage())
        #expect(!late.settled)
        let unrecorded = try await store.settle(student, policy: policy, window: window, leaseID: "rb-unrecorded", charge: 1_000, usage: TokenUsage())
        #expect(unrecorded.settled)
        #expect(try await store.balance(student, policy: policy, window: window).0.used == 121_000)
    }

    @Test func anEdgeKeepsOffARedisThatLostItsDataUntilItIsRebuilt() async throws {
        let (_, rebuilder, _, _) = try await self.fixture()
        var endpoint = try RedisEndpoint(url: LeaderTests.redisURL)
        endpoint.database = 8
        let gate = RedisRestorationGate()
        func edgeConnects() async -> Bool {
            let pool = RedisPool(.init(endpoint: endpoint, restorationGate: gate), logger: Logger(label: "test"))
            return (try? await pool.withConnection { try await $0.ping() }) != nil
        }
        #expect(await edgeConnects(), "a Redis never restored (seeded directly) is used as it is")
        _ = try #require(try await rebuilder.rebuildIfLost())
        #expect(await edgeConnects())
        let admin = RedisPool(.init(endpoint: endpoint), logger: Logger(label: "test"))
        _ = try await admin.withConnection { try await $0.command(["FLUSHDB"]) }
        #expect(await !edgeConnects(), "the marker was seen, and is gone: Redis lost its data")
        _ = try #require(try await rebuilder.rebuildIfLost())
        #expect(await edgeConnects())
    }

    @Test func whatRedisStillHoldsIsNewerAndStays() async throws {
        let (connection, rebuilder, directory, _) = try await self.fixture()
        let key = VirtualKey.generate()
        let student = StudentRef(course: "RB2", student: "s1")
        try await connection.execute("INSERT INTO courses (id) VALUES ('RB2')")
        try await connection.execute("INSERT INTO students (course_id, id) VALUES ('RB2', 's1')")
        try await connection.execute(
            "INSERT INTO keys (sha256, key_id, course_id, student_id, state) VALUES ($1, $2, 'RB2', 's1', 'active')", [key.sha256Hex, key.keyID]
        )
        // An edge suspended the key after a leak; the record saying so has not reached Postgres yet.
        try await directory.issueKey(sha256Hex: key.sha256Hex, record: KeyRecord(student: student, state: .suspended, keyID: key.keyID))
        #expect(try await rebuilder.rebuildIfLost()?.keys == 0)
        #expect(try await directory.key(sha256Hex: key.sha256Hex)?.state == .suspended)
    }
}
