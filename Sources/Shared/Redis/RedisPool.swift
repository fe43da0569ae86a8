import Logging
import Synchronization

/// Lends Redis connections to one task at a time, opening up to `maxConnections` on demand.
///
/// A connection that broke (I/O error, timeout, server hang-up) is dropped when it comes back, and the
/// next borrower gets a freshly opened one. A command that fails is never retried: it may have run.
public final class RedisPool: Sendable {
    /// How to reach Redis and how many connections to keep.
    public struct Configuration: Sendable {
        public var endpoint: RedisEndpoint
        /// The most connections open at once; further borrowers wait in line.
        public var maxConnections: Int
        public var connectTimeout: Duration
        public var commandTimeout: Duration

        public init(
            endpoint: RedisEndpoint,
            maxConnections: Int = 16,
            connectTimeout: Duration = .seconds(2),
            commandTimeout: Duration = .seconds(5)
        ) {
            self.endpoint = endpoint
            self.maxConnections = maxConnections
            self.connectTimeout = connectTimeout
            self.commandTimeout = commandTimeout
        }
    }

    private let configuration: Configuration
    private let logger: Logger
    private let state: Mutex<RedisPoolState>

    public init(_ configuration: Configuration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        self.state = Mutex(RedisPoolState(maxConnections: configuration.maxConnections))
    }

    /// Lends a connection to `body` and takes it back when `body` returns or throws.
    /// - Throws: what `body` throws; `RedisError` if no connection could be opened; `CancellationError`
    ///   if the task is cancelled while waiting for a connection.
    public func withConnection<Result>(
        isolation: isolated (any Actor)? = #isolation,
        _ body: (RedisConnection) async throws -> sending Result
    ) async throws -> sending Result {
        let connection = try await self.lease()
        defer { self.release(connection) }
        return try await body(connection)
    }

    // MARK: - Lending

    private func lease() async throws -> RedisConnection {
        switch try await self.grant() {
        case .reuse(let connection):
            return connection
        case .connect:
            do {
                let connection = try await RedisConnection.connect(
                    to: self.configuration.endpoint,
                    connectTimeout: self.configuration.connectTimeout,
                    commandTimeout: self.configuration.commandTimeout
                )
                self.logger.debug(
                    "redis connection opened",
                    metadata: ["goosey.redis.endpoint": "\(self.configuration.endpoint)"]
                )
                return connection
            } catch {
                self.release(nil)
                throw error
            }
        }
    }

    private func grant() async throws -> RedisPoolState.Grant {
        let (immediate, id) = self.state.withLock { state in (state.lease(), state.makeWaiterID()) }
        if let immediate { return immediate }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: RedisPoolState.Waiter) in
                let outcome: Result<RedisPoolState.Grant, any Error>? = self.state.withLock { state in
                    if let grant = state.lease() { return .success(grant) }  // released since the first try
                    // Checked under the lock, so a cancellation either sees this waiter or is seen here.
                    if Task.isCancelled { return .failure(CancellationError()) }
                    state.wait(id: id, continuation)
                    return nil
                }
                if let outcome { continuation.resume(with: outcome) }
            }
        } onCancel: {
            self.state.withLock { $0.cancel(id: id) }?.resume(throwing: CancellationError())
        }
    }

    private func release(_ connection: RedisConnection?) {
        if let connection, connection.isBroken {
            self.logger.debug(
                "redis connection broken, dropped",
                metadata: ["goosey.redis.endpoint": "\(self.configuration.endpoint)"]
            )
        }
        if let (waiter, grant) = self.state.withLock({ $0.release(connection) }) {
            waiter.resume(returning: grant)
        }
    }
}
