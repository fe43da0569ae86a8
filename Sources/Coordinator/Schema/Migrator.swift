/// Brings a database's schema up to `Migrations.all`, once, however many coordinators start at once.
///
/// Every coordinator holds the same advisory lock while it looks and migrates, so a second one waits,
/// then finds nothing left to do. Each migration commits whole with its row in `schema_migrations`, or
/// not at all.
struct Migrator {
    /// `pg_advisory_lock`'s key for migrations: "goosey" in ASCII.
    static let lockKey = "113723605427065"

    let migrations: [Migrations.Migration]

    init(_ migrations: [Migrations.Migration] = Migrations.all) {
        self.migrations = migrations
    }

    /// - Returns: the versions this call applied, in order (empty when the schema was current).
    /// - Throws: `MigrationError.newerSchema` when the database is ahead of this build; `PostgresError`.
    @discardableResult
    func migrate(_ connection: PostgresConnection) async throws -> [Int] {
        try await connection.execute("SELECT pg_advisory_lock($1)", [Self.lockKey])
        do {
            let applied = try await self.migrateHoldingTheLock(connection)
            try await connection.execute("SELECT pg_advisory_unlock($1)", [Self.lockKey])
            return applied
        } catch {
            _ = try? await connection.execute("SELECT pg_advisory_unlock($1)", [Self.lockKey])
            throw error
        }
    }

    private func migrateHoldingTheLock(_ connection: PostgresConnection) async throws -> [Int] {
        try await connection.execute(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version integer PRIMARY KEY,
                name text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """
        )
        let present = Set(try await connection.query("SELECT version FROM schema_migrations").compactMap { $0[0].flatMap(Int.init) })
        let known = Set(self.migrations.map(\.version))
        if let newer = present.subtracting(known).max() {
            throw MigrationError.newerSchema(database: newer, known: known.max() ?? 0)
        }
        var applied: [Int] = []
        for migration in self.migrations.sorted(by: { $0.version < $1.version }) where !present.contains(migration.version) {
            try await connection.withTransaction { connection in
                for statement in migration.statements {
                    try await connection.execute(statement)
                }
                try await connection.execute(
                    "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                    [String(migration.version), migration.name]
                )
            }
            applied.append(migration.version)
        }
        return applied
    }
}

enum MigrationError: Error, CustomStringConvertible, Equatable {
    case newerSchema(database: Int, known: Int)

    var description: String {
        switch self {
        case .newerSchema(let database, let known):
            "the database's schema is at version \(database), newer than this goosey's \(known): upgrade goosey"
        }
    }
}
