import Foundation
import Shared
import Testing

@testable import Coordinator

/// Against a real PostgreSQL: `ops/test-services start` (or `ops/test`) runs one and sets
/// `GOOSEY_TEST_POSTGRES_URL`. A server that is not there fails these tests; it never skips them.
@Suite(.timeLimit(.minutes(1)))
struct PostgresConnectionTests {
    static let url =
        ProcessInfo.processInfo.environment["GOOSEY_TEST_POSTGRES_URL"]
        ?? "postgres://goosey@127.0.0.1:15432/goosey_test"

    /// A connection with a temporary table `notes` of its own, invisible to other sessions.
    func connectWithNotes() async throws -> PostgresConnection {
        let connection = try await PostgresConnection.connect(url: Self.url)
        try await connection.execute("CREATE TEMPORARY TABLE notes (id int PRIMARY KEY, body text)")
        return connection
    }

    func noteCount(_ connection: PostgresConnection) async throws -> String? {
        try await connection.query("SELECT count(*) AS n FROM notes").first?["n"]
    }

    @Test func connectsAndSelectsOne() async throws {
        let connection = try await PostgresConnection.connect(url: Self.url)
        let rows = try await connection.query("SELECT 1 AS one")
        #expect(rows == [PostgresRow(columns: ["one"], values: ["1"])])
        #expect(!connection.isBroken)
    }

    @Test func aDateIsAUTCDayWhateverTheServersTimeZone() async throws {
        let separator = Self.url.contains("?") ? "&" : "?"
        let sydney = try await PostgresConnection.connect(url: Self.url + separator + "options=-cTimeZone%3DAustralia/Sydney")
        let rows = try await sydney.query("SELECT '2026-03-01'::date::timestamptz = '2026-03-01T00:00:00Z'::timestamptz AS utc")
        #expect(rows.first?["utc"] == "t")
    }

    @Test func parametersCarryNullAndQuotesVerbatim() async throws {
        let connection = try await self.connectWithNotes()
        let body = "O'Brien said \"hi\"; DROP TABLE notes; -- ünïcode"
        #expect(
            try await connection.execute("INSERT INTO notes VALUES ($1, $2), ($3, $4)", ["1", body, "2", nil]) == 2
        )
        let rows = try await connection.query("SELECT id, body, body IS NULL AS missing FROM notes ORDER BY id")
        #expect(rows.map(\.values) == [["1", body, "f"], ["2", nil, "t"]])
        #expect(rows.first?["body"] == body)
    }

    @Test func rejectedStatementCarriesSQLState() async throws {
        let connection = try await self.connectWithNotes()
        try await connection.execute("INSERT INTO notes VALUES (1, 'a')")
        let duplicate = await #expect(throws: PostgresError.self) {
            try await connection.execute("INSERT INTO notes VALUES ($1, 'b')", ["1"])
        }
        #expect(duplicate?.kind == .server)
        #expect(duplicate?.sqlState == "23505")  // unique_violation
        #expect(try await connection.query("SELECT 1/$1::int AS x", ["1"]).first?["x"] == "1")  // still usable
    }

    @Test func errorDescriptionNeverRepeatsParameterValues() async throws {
        let connection = try await PostgresConnection.connect(url: Self.url)
        let secret = "sk-ant-api03-not-a-real-key"
        let error = await #expect(throws: PostgresError.self) { try await connection.query("SELECT $1::int", [secret]) }
        #expect(error?.sqlState == "22P02")  // invalid_text_representation
        #expect(error.map { !"\($0)".contains(secret) } == true)
        // Postgres does quote the value back, which is why `description` leaves the server's message out.
        #expect(error?.serverMessage?.contains(secret) == true)
    }

    @Test func parameterWithNULByteIsRefused() async throws {
        let connection = try await PostgresConnection.connect(url: Self.url)
        let error = await #expect(throws: PostgresError.self) {
            try await connection.query("SELECT $1::text", ["a\u{0}b"])
        }
        #expect(error?.kind == .invalidParameter)
    }

    @Test func transactionCommitsWhenBodyReturns() async throws {
        let connection = try await self.connectWithNotes()
        let inserted = try await connection.withTransaction {
            try await $0.execute("INSERT INTO notes VALUES (1, 'kept')")
        }
        #expect(inserted == 1)
        #expect(try await self.noteCount(connection) == "1")
    }

    @Test func transactionRollsBackWhenBodyThrows() async throws {
        struct Abort: Error {}
        let connection = try await self.connectWithNotes()
        await #expect(throws: Abort.self) {
            try await connection.withTransaction { connection in
                try await connection.execute("INSERT INTO notes VALUES (1, 'discarded')")
                throw Abort()
            }
        }
        #expect(try await self.noteCount(connection) == "0")
        try await connection.withTransaction { _ in }  // and the connection is out of the transaction
    }

    @Test func commitAfterACaughtFailureReportsTheRollback() async throws {
        let connection = try await self.connectWithNotes()
        let error = await #expect(throws: PostgresError.self) {
            try await connection.withTransaction { connection in
                try await connection.execute("INSERT INTO notes VALUES (1, 'lost')")
                _ = try? await connection.query("SELECT 1/0")
            }
        }
        #expect(error?.kind == .transactionRolledBack)
        #expect(try await self.noteCount(connection) == "0")
    }

    @Test func nestedTransactionIsRefused() async throws {
        let connection = try await PostgresConnection.connect(url: Self.url)
        let error = await #expect(throws: PostgresError.self) {
            try await connection.withTransaction { connection in
                try await connection.withTransaction { _ in }
            }
        }
        #expect(error?.kind == .nestedTransaction)
    }

    @Test func unreachableServerFailsFastWithConnectionFailed() async throws {
        let start = ContinuousClock.now
        let error = await #expect(throws: PostgresError.self) {
            try await PostgresConnection.connect(url: "postgres://goosey@127.0.0.1:1/goosey_test")
        }
        #expect(error?.kind == .connectionFailed)
        #expect(ContinuousClock.now - start < .seconds(2))
    }

    @Test func malformedConninfoIsRefusedWithoutEchoingIt() async throws {
        let error = await #expect(throws: PostgresError.self) {
            try await PostgresConnection.connect(url: "host=127.0.0.1 password=hunter2 port")
        }
        #expect(error?.kind == .invalidURL)
        #expect(error.map { !"\($0)".contains("hunter2") } == true)
    }

    @Test func statementsRunOnTheConnectionsOwnExecutor() async throws {
        let connection = try await PostgresConnection.connect(url: Self.url)
        #expect(!connection.executor.isCurrent)
        #expect(await connection.executor.run { connection.executor.isCurrent })
    }
}
