import Foundation
import Testing

@testable import Coordinator

/// Migrations against a real PostgreSQL, each test in a schema of its own.
@Suite(.timeLimit(.minutes(1)))
struct MigratorTests {
    let schema = "migrator_test_\(UInt32.random(in: 0 ... .max))"

    /// A connection whose unqualified names all land in this test's own schema.
    func connect() async throws -> PostgresConnection {
        let connection = try await PostgresConnection.connect(url: PostgresConnectionTests.url)
        try await connection.execute("CREATE SCHEMA IF NOT EXISTS \(self.schema)")
        try await connection.execute("SET search_path TO \(self.schema)")
        return connection
    }

    /// The test database's URL with this schema first on every connection's search path.
    var schemaURL: String {
        let separator = PostgresConnectionTests.url.contains("?") ? "&" : "?"
        return PostgresConnectionTests.url + separator + "options=-csearch_path%3D\(self.schema)"
    }

    func tables(_ connection: PostgresConnection) async throws -> Set<String> {
        let rows = try await connection.query(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = $1",
            [self.schema]
        )
        return Set(rows.compactMap { $0[0] })
    }

    @Test func twoCoordinatorsStartingAtOnceMigrateOnceAndBothSucceed() async throws {
        let first = try await self.connect()
        let second = try await self.connect()
        async let a = Migrator().migrate(first)
        async let b = Migrator().migrate(second)
        let (appliedA, appliedB) = try await (a, b)
        #expect((appliedA + appliedB).sorted() == Migrations.all.map(\.version))
        let expected: Set<String> = [
            "schema_migrations", "courses", "admin_tokens", "staff_courses", "students", "groups", "enrolments", "keys",
            "key_events", "policies", "grants", "periods", "content_blocks", "requests", "incidents", "audit_events",
        ]
        #expect(try await self.tables(first).isSuperset(of: expected))
        #expect(try await Migrator().migrate(first) == [])  // and again: nothing to do
    }

    @Test func aDatabaseAheadOfThisBuildIsRefusedNotTouched() async throws {
        let connection = try await self.connect()
        try await Migrator().migrate(connection)
        try await connection.execute("INSERT INTO schema_migrations (version, name) VALUES (9999, 'from the future')")
        await #expect(throws: MigrationError.newerSchema(database: 9999, known: Migrations.all.count)) {
            try await Migrator().migrate(connection)
        }
    }

    @Test func aFailingMigrationLeavesNothingBehind() async throws {
        let connection = try await self.connect()
        let broken = Migrations.Migration(version: 1, name: "half", statements: [
            "CREATE TABLE half_done (id int)", "THIS IS NOT SQL",
        ])
        await #expect(throws: PostgresError.self) { try await Migrator([broken]).migrate(connection) }
        #expect(try await !self.tables(connection).contains("half_done"))
        #expect(try await connection.query("SELECT count(*) FROM schema_migrations").first?[0] == "0")
        try await Migrator().migrate(connection)  // the lock was let go
    }

    @Test func auditEventsCanBeAddedButNeverChanged() async throws {
        let connection = try await self.connect()
        try await Migrator().migrate(connection)
        try await connection.execute("INSERT INTO audit_events (actor, action, target) VALUES ('t', 'key.revoke', 'k1')")
        await #expect(throws: PostgresError.self) { try await connection.execute("UPDATE audit_events SET actor = 'x'") }
        await #expect(throws: PostgresError.self) { try await connection.execute("DELETE FROM audit_events") }
        #expect(try await connection.query("SELECT actor FROM audit_events").map { $0[0] } == ["t"])
    }
}
