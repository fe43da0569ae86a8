import Logging
import NIOCore
import NIOPosix
import Synchronization

/// Shares one Redis connection per event loop among every task that runs there, opening it on first use.
///
/// A command from a request's task goes out on the connection of the request's own event loop: no thread
/// switch, and the commands of concurrent requests are pipelined. A connection that broke (I/O error,
/// timeout, server hang-up) is replaced on the next use. A command that fails is never retried: it may have run.
public final class RedisPool: Sendable {
    /// How to reach Redis.
    public struct Configuration: Sendable {
        public var endpoint: RedisEndpoint
        public var connectTimeout: Duration
        public var commandTimeout: Duration
        /// Edges set one: no connection to a Redis that lost its data until it is restored.
        public var restorationGate: RedisRestorationGate?

        public init(
            endpoint: RedisEndpoint,
            connectTimeout: Duration = .seconds(2),
            commandTimeout: Duration = .seconds(5),
            restorationGate: RedisRestorationGate? = nil
        ) {
            self.endpoint = endpoint
            self.connectTimeout = connectTimeout
            self.commandTimeout = commandTimeout
            self.restorationGate = restorationGate
        }
    }

    private enum Slot {
        case open(RedisConnection)
        case opening(Task<RedisConnection, any Error>)
    }

    private let configuration: Configuration
    private let logger: Logger
    private let slots = Mutex<[ObjectIdentifier: Slot]>([:])

    public init(_ configuration: Configuration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Hands the connection of the caller's event loop to `body`.
    /// - Throws: what `body` throws; `RedisError` if no connection could be opened.
    public func withConnection<Result>(
        isolation: isolated (any Actor)? = #isolation,
        _ body: (RedisConnection) async throws -> sending Result
    ) async throws -> sending Result {
        try await body(try await self.connection())
    }

    /// The open connection of `eventLoop`, by default the caller's (any loop's, off NIO's threads).
    public func connection(on eventLoop: (any EventLoop)? = nil) async throws(RedisError) -> RedisConnection {
        let eventLoop = eventLoop ?? MultiThreadedEventLoopGroup.singleton.any()
        let key = ObjectIdentifier(eventLoop)
        let slot: Slot = self.slots.withLock { slots in
            switch slots[key] {
            case .open(let connection) where !connection.isBroken:
                return .open(connection)
            case .opening(let task):
                return .opening(task)
            case .open, nil:
                let task = Task { [configuration] in
                    let connection = try await RedisConnection.connect(
                        to: configuration.endpoint,
                        connectTimeout: configuration.connectTimeout,
                        commandTimeout: configuration.commandTimeout,
                        on: eventLoop
                    )
                    try await configuration.restorationGate?.admit(connection)
                    return connection
                }
                slots[key] = .opening(task)
                return .opening(task)
            }
        }
        switch slot {
        case .open(let connection):
            return connection
        case .opening(let opening):
            do {
                let connection = try await opening.value
                self.slots.withLock { slots in
                    if case .opening(let task) = slots[key], task == opening { slots[key] = .open(connection) }
                }
                return connection
            } catch {
                self.slots.withLock { slots in
                    if case .opening(let task) = slots[key], task == opening { slots[key] = nil }
                }
                throw error as? RedisError ?? RedisError(kind: .connectionFailed, detail: "\(error)")
            }
        }
    }
}
