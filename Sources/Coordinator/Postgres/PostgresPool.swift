import Synchronization

/// Lends Postgres connections, opening one when none is idle; a broken one is dropped on return.
final class PostgresPool: Sendable {
    private let url: String
    private let idle = Mutex<[PostgresConnection]>([])

    init(url: String) {
        self.url = url
    }

    func withConnection<Result: Sendable>(_ body: (PostgresConnection) async throws -> Result) async throws -> Result {
        let connection: PostgresConnection
        if let reused = self.idle.withLock({ $0.popLast() }) {
            connection = reused
        } else {
            connection = try await PostgresConnection.connect(url: self.url)
        }
        do {
            let result = try await body(connection)
            self.giveBack(connection)
            return result
        } catch {
            self.giveBack(connection)
            throw error
        }
    }

    private func giveBack(_ connection: PostgresConnection) {
        guard !connection.isBroken else { return }
        self.idle.withLock { $0.append(connection) }
    }
}
