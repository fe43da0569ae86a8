import Foundation
import Logging
import Shared
import Testing

@testable import Coordinator

/// Leadership and the leader's lease reconciliation, against a real PostgreSQL and a real Redis.
@Suite(.timeLimit(.minutes(1)), .serialized)
struct LeaderTests {
    static let redisURL = ProcessInfo.processInfo.environment["GOOSEY_TEST_REDIS_URL"] ?? "redis://127.0.0.1:16379"
    let database = MigratorTests()

    /// A migrated schema of the test's own and its pool, and an empty Redis database of its own (the
    /// leader looks at every student Redis holds), with the store and directory over it.
    func fixture() async throws -> (PostgresConnection, PostgresPool, QuotaStore, Directory) {
        let connection = try await self.database.connect()
        try await Migrator().migrate(connection)
        var endpoint = try RedisEndpoint(url: Self.redisURL)
        endpoint.database = 7
        let redis = RedisPool(.init(endpoint: endpoint), logger: Logger(label: "test"))
        _ = try await redis.withConnection { try await $0.command(["FLUSHDB"]) }
        return (connection, PostgresPool(url: self.database.schemaURL), QuotaStore(pool: redis), Directory(pool: redis))
    }

    @Test func oneCoordinatorLeadsAndAnotherTakesOverWhenItGoes() async throws {
        let first = Leadership(url: PostgresConnectionTests.url)
        let second = Leadership(url: PostgresConnectionTests.url)
        #expect(await first.lead())
        #expect(await first.lead(), "the lead is kept")
        #expect(await !second.lead())
        first.resign()  // its connection closes, as when a coordinator dies
        let deadline = ContinuousClock.now + .seconds(10)
        var tookOver = await second.lead()
        while !tookOver && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
            tookOver = await second.lead()
        }
        #expect(tookOver)
        #expect(await !first.lead())
        second.resign()
    }

    @Test func expiredLeasesAreSettledFromALateRecordOrAtTheirHoldAndOnlyOnce() async throws {
        let (connection, pool, store, directory) = try await self.fixture()
        let student = StudentRef(course: "L-\(UInt32.random(in: 0 ... .max))", student: "s")
        let policy = QuotaPolicy(limit: 1_000_000, period: try PeriodSpec(period: "7d"))
        try await directory.setPolicy(policy, course: student.course)
        let now = Date()
        let window = policy.period.window(containing: now)
        let past = now.addingTimeInterval(-60)
        let leaseDied = "req_goosey_died_\(UInt32.random(in: 0 ... .max))"
        let leaseLate = "req_goosey_late_\(UInt32.random(in: 0 ... .max))"
        let leaseLive = "req_goosey_live_\(UInt32.random(in: 0 ... .max))"
        _ = try await store.reserve(student, policy: policy, window: window, leaseID: leaseDied, estimate: 700, deadline: past)
        _ = try await store.reserve(student, policy: policy, window: window, leaseID: leaseLate, estimate: 900, deadline: past)
        _ = try await store.reserve(student, policy: policy, window: window, leaseID: leaseLive, estimate: 300, deadline: now.addingTimeInterval(600))
        var late = RecordStoreTests.record(leaseLate, at: Int64(now.timeIntervalSince1970 * 1000))
        late.charge = 250
        _ = try await RecordStore().insert(RecordBatch(records: [ShippedRecord(record: late)]), into: connection)

        // An earlier leader noted this lease and died before settling it: the lease is still expired.
        try await connection.execute(
            "INSERT INTO lease_reconciliations (lease_id, course_id, student_id, charged, source) VALUES ($1, $2, $3, 700, 'estimate')",
            [leaseDied, student.course, student.student]
        )
        let reconciler = LeaseReconciler(store: store, directory: directory, pool: pool)
        #expect(try await reconciler.reconcile(now: now, logger: Logger(label: "test")) == 2)
        let balance = try await store.balance(student, policy: policy, window: window).0
        #expect(balance.used == 700 + 250)
        #expect(balance.held == 300, "the live lease is left alone")
        let rows = try await connection.query("SELECT lease_id, charged, source FROM lease_reconciliations ORDER BY charged")
        #expect(rows.map(\.values) == [[leaseLate, "250", "record"], [leaseDied, "700", "estimate"]])

        #expect(try await reconciler.reconcile(now: now, logger: Logger(label: "test")) == 0)
        let edgeSettlesLate = try await store.settle(student, policy: policy, window: window, leaseID: leaseDied, charge: 40)
        #expect(!edgeSettlesLate.settled && edgeSettlesLate.balance.used == 950, "a settle racing in counts once")
    }

    @Test func theCheckAgreesWhenEveryChargeHasItsRecordAndNamesTheStudentWhenOneIsMissing() async throws {
        let (connection, pool, store, directory) = try await self.fixture()
        let policy = QuotaPolicy(limit: 1_000_000, period: try PeriodSpec(period: "7d"))
        let course = "K-\(UInt32.random(in: 0 ... .max))"
        try await directory.setPolicy(policy, course: course)
        let now = Date()
        let window = policy.period.window(containing: now)
        for (student, charge) in [("a", Int64(500)), ("b", Int64(300))] {
            let ref = StudentRef(course: course, student: student)
            _ = try await store.reserve(ref, policy: policy, window: window, leaseID: "lease-\(student)", estimate: 900, deadline: now.addingTimeInterval(600))
            _ = try await store.settle(ref, policy: policy, window: window, leaseID: "lease-\(student)", charge: charge)
            var record = RecordStoreTests.record("lease-\(student)", at: Int64(now.timeIntervalSince1970 * 1000))
            record.course = course
            record.student = student
            record.charge = charge
            _ = try await RecordStore().insert(RecordBatch(records: [ShippedRecord(record: record)]), into: connection)
        }
        let check = BalanceCheck(store: store, directory: directory, pool: pool)
        #expect(try await check.differences(now: now) == [])

        let b = StudentRef(course: course, student: "b")
        _ = try await store.settle(b, policy: policy, window: window, leaseID: "lease-unrecorded", charge: 40)  // no record
        #expect(try await check.differences(now: now) == [BalanceCheck.Difference(student: b, redisUsed: 340, postgresCharged: 300, held: 0)])
    }

    @Test func closedPeriodsReachTheLedgerWithTheEdgesNumbersEvenForAStudentWhoWentQuiet() async throws {
        let (connection, pool, store, directory) = try await self.fixture()
        let policy = QuotaPolicy(limit: 1_000, period: try PeriodSpec(period: "7d"), carryOver: .all)
        let student = StudentRef(course: "P-\(UInt32.random(in: 0 ... .max))", student: "s")
        try await directory.setPolicy(policy, course: student.course)
        let now = Date()
        let current = policy.period.window(containing: now).index
        let old = policy.period.window(index: current - 2)
        _ = try await store.grant(student, policy: policy, window: old, amount: 200)
        _ = try await store.settle(student, policy: policy, window: old, leaseID: "x", charge: 300)

        let closer = PeriodCloser(store: store, directory: directory, pool: pool)
        #expect(try await closer.close(now: now, logger: Logger(label: "test")) == 2)
        let rows = try await connection.query(
            "SELECT period_index, allocation, carry_in, granted, used, overspend FROM periods ORDER BY period_index"
        )
        #expect(rows.map(\.values) == [
            [String(current - 2), "1000", "0", "200", "300", "0"],
            [String(current - 1), "1000", "900", "0", "0", "0"],  // all 900 left carried over; nothing used since
        ])
        #expect(try await closer.close(now: now, logger: Logger(label: "test")) == 0)
        #expect(try await store.balance(student, policy: policy, window: policy.period.window(index: current)).0.total == 1_000 + 1_900)
    }

    @Test func aStreamThatEndsAfterItsPeriodClosedAmendsThatPeriodInTheLedger() async throws {
        let (connection, pool, store, directory) = try await self.fixture()
        let policy = QuotaPolicy(limit: 1_000, period: try PeriodSpec(period: "7d"))
        let student = StudentRef(course: "A-\(UInt32.random(in: 0 ... .max))", student: "s")
        try await directory.setPolicy(policy, course: student.course)
        let now = Date()
        let previous = policy.period.window(index: policy.period.window(containing: now).index - 1)
        _ = try await store.reserve(student, policy: policy, window: previous, leaseID: "long", estimate: 400, deadline: now)

        let closer = PeriodCloser(store: store, directory: directory, pool: pool)
        #expect(try await closer.close(now: now, logger: Logger(label: "test")) == 1)
        _ = try await store.settle(student, policy: policy, window: previous, leaseID: "long", charge: 300)
        #expect(try await closer.close(now: now, logger: Logger(label: "test")) == 1)
        #expect(try await closer.close(now: now, logger: Logger(label: "test")) == 0)
        let rows = try await connection.query("SELECT period_index, used, overspend FROM periods")
        #expect(rows.map(\.values) == [[String(previous.index), "300", "0"]])
    }

    /// A stream that ends two periods late moves the carry of the period closed after its own: the ledger, from which
    /// a lost Redis is rebuilt, takes that carry too.
    @Test func aChargeSettledTwoPeriodsLateMovesTheLedgersCarryOfThePeriodAfter() async throws {
        let (connection, pool, store, directory) = try await self.fixture()
        let policy = QuotaPolicy(limit: 1_000, period: try PeriodSpec(period: "7d"), carryOver: .all)
        let student = StudentRef(course: "L-\(UInt32.random(in: 0 ... .max))", student: "s")
        try await directory.setPolicy(policy, course: student.course)
        let now = Date()
        let current = policy.period.window(containing: now).index
        let first = policy.period.window(index: current - 2)
        _ = try await store.reserve(student, policy: policy, window: first, leaseID: "long", estimate: 400, deadline: now)

        let closer = PeriodCloser(store: store, directory: directory, pool: pool)
        #expect(try await closer.close(now: now, logger: Logger(label: "test")) == 2)
        _ = try await store.settle(student, policy: policy, window: first, leaseID: "long", charge: 300)
        #expect(try await closer.close(now: now, logger: Logger(label: "test")) == 2, "the late period's used, the next one's carry")
        let rows = try await connection.query("SELECT period_index, carry_in, used FROM periods ORDER BY period_index")
        #expect(rows.map(\.values) == [[String(current - 2), "0", "300"], [String(current - 1), "700", "0"]])
    }
}
