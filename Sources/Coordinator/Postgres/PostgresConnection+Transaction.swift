import Shared

extension PostgresConnection {
    /// Runs `body` inside `BEGIN` … `COMMIT`, rolling back if it throws.
    /// - Throws: what `body` throws (after `ROLLBACK`); `PostgresError` of kind `.nestedTransaction` when a
    ///   transaction is already open, or `.transactionRolledBack` when a statement inside failed but `body`
    ///   caught the error (Postgres then turns `COMMIT` into `ROLLBACK`).
    func withTransaction<Result>(
        isolation: isolated (any Actor)? = #isolation,
        _ body: (PostgresConnection) async throws -> sending Result
    ) async throws -> sending Result {
        try await self.begin()
        let result: Result
        do {
            result = try await body(self)
        } catch {
            await self.rollback()
            throw error
        }
        try await self.commit()
        return result
    }

    private func begin() async throws(PostgresError) {
        let idle = await self.executor.run { self.blockingTransactionIsIdle() }
        guard idle else {
            throw PostgresError(kind: .nestedTransaction, detail: "a transaction is already open on this connection")
        }
        try await self.execute("BEGIN")
    }

    private func commit() async throws(PostgresError) {
        let result = try await self.run("COMMIT", [])
        guard result.commandTag == "COMMIT" else {
            throw PostgresError(kind: .transactionRolledBack, detail: "a failed statement made COMMIT roll back")
        }
    }

    /// Best effort: if the connection broke, the server has already rolled back.
    private func rollback() async {
        _ = try? await self.execute("ROLLBACK")
    }
}
