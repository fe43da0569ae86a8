import CHiredis
import NIOCore
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One blocking hiredis connection, driven from async code without blocking the cooperative pool.
///
/// Every hiredis call runs synchronously on the connection's own `executor` (a serial queue), so calls never
/// overlap even if two tasks share the connection. Usually a `RedisPool` lends it to one task at a time.
public final class RedisConnection: @unchecked Sendable {
    // @unchecked: `context` is touched only inside synchronous closures on `executor`'s serial queue
    // (and in deinit, when nothing else can hold the connection); `broken` is atomic.

    /// The serial executor every hiredis call of this connection runs on.
    public let executor: SerialQueueExecutor
    let context: UnsafeMutablePointer<redisContext>
    let broken = Atomic<Bool>(false)

    private init(context: UnsafeMutablePointer<redisContext>, executor: SerialQueueExecutor) {
        self.context = context
        self.executor = executor
    }

    deinit {
        redisFree(self.context)
    }

    /// Whether an I/O, timeout or protocol error has made this connection unusable. A server's error reply does not.
    public var isBroken: Bool { self.broken.load(ordering: .acquiring) }

    /// Opens a connection, then sends `AUTH` and `SELECT` as the endpoint asks.
    /// - Parameters:
    ///   - connectTimeout: the longest to wait for the TCP connection.
    ///   - commandTimeout: the longest any later send or reply may take; a timeout breaks the connection.
    /// - Throws: `RedisError`, of kind `.connectionFailed`, `.timeout` or `.server` (a wrong password).
    public static func connect(
        to endpoint: RedisEndpoint,
        connectTimeout: Duration = .seconds(2),
        commandTimeout: Duration = .seconds(5)
    ) async throws(RedisError) -> RedisConnection {
        let executor = SerialQueueExecutor(label: "goosey.redis.\(endpoint.host):\(endpoint.port)")
        return try await executor.run { () throws(RedisError) -> RedisConnection in
            let context = try Self.blockingOpen(
                endpoint,
                connectTimeout: connectTimeout,
                commandTimeout: commandTimeout
            )
            let connection = RedisConnection(context: context, executor: executor)
            try connection.blockingLogIn(endpoint)
            return connection
        }
    }

    /// Opens a connection to a `redis://[[user]:password@]host[:port][/db]` URL.
    public static func connect(
        url: String,
        connectTimeout: Duration = .seconds(2),
        commandTimeout: Duration = .seconds(5)
    ) async throws(RedisError) -> RedisConnection {
        try await Self.connect(
            to: RedisEndpoint(url: url),
            connectTimeout: connectTimeout,
            commandTimeout: commandTimeout
        )
    }

    // MARK: - Commands

    /// Sends one command, e.g. `["SET", key, value]`, and waits for its reply.
    /// - Throws: `RedisError`; an error reply becomes kind `.server` with the reply's `code`.
    public func command(_ arguments: [String]) async throws(RedisError) -> RedisReply {
        try await self.command(RedisArgv(arguments.lazy.map(\.utf8)))
    }

    /// Sends one command whose arguments are raw bytes.
    public func command(_ arguments: [[UInt8]]) async throws(RedisError) -> RedisReply {
        try await self.command(RedisArgv(arguments))
    }

    /// Sends one command whose arguments are the readable bytes of each buffer.
    public func command(_ arguments: [ByteBuffer]) async throws(RedisError) -> RedisReply {
        try await self.command(RedisArgv(arguments.lazy.map(\.readableBytesView)))
    }

    /// Sends `PING` and checks for `PONG`.
    public func ping() async throws(RedisError) {
        let reply = try await self.command(["PING"])
        guard reply == .status("PONG") else {
            throw RedisError(kind: .protocolError, detail: "PING was not answered with PONG")
        }
    }

    func command(_ argv: RedisArgv) async throws(RedisError) -> RedisReply {
        guard argv.count > 0, argv.count <= Int(Int32.max) else {
            throw RedisError(kind: .invalidCommand, detail: "a command needs 1 to \(Int32.max) arguments")
        }
        return try await self.executor.run { () throws(RedisError) -> RedisReply in
            try self.blockingCommand(argv)
        }
    }
}

// MARK: - Blocking calls, only ever run on `executor`

extension RedisConnection {
    private static func blockingOpen(
        _ endpoint: RedisEndpoint,
        connectTimeout: Duration,
        commandTimeout: Duration
    ) throws(RedisError) -> UnsafeMutablePointer<redisContext> {
        guard let context = redisConnectWithTimeout(endpoint.host, Int32(endpoint.port), timeval(connectTimeout)) else {
            throw RedisError(kind: .connectionFailed, detail: "hiredis could not allocate a context")
        }
        guard context.pointee.err == 0 else {
            let error = RedisError(failedContext: context, errno: errno, connecting: true)
            redisFree(context)
            throw error
        }
        guard redisSetTimeout(context, timeval(commandTimeout)) == REDIS_OK else {
            let error = RedisError(failedContext: context, errno: errno, connecting: true)
            redisFree(context)
            throw error
        }
        _ = redisEnableKeepAlive(context)  // best effort: only helps notice a dead peer sooner
        return context
    }

    private func blockingLogIn(_ endpoint: RedisEndpoint) throws(RedisError) {
        if let password = endpoint.password {
            let auth = endpoint.username.map { ["AUTH", $0, password] } ?? ["AUTH", password]
            _ = try self.blockingCommand(RedisArgv(auth.lazy.map(\.utf8)))
        }
        if endpoint.database != 0 {
            _ = try self.blockingCommand(RedisArgv(["SELECT", String(endpoint.database)].lazy.map(\.utf8)))
        }
    }

    func blockingCommand(_ argv: RedisArgv) throws(RedisError) -> RedisReply {
        precondition(self.executor.isCurrent, "hiredis called off the connection's executor")
        guard !self.isBroken else {
            throw RedisError(kind: .connectionBroken, detail: "an earlier error broke this connection")
        }
        let raw = argv.withUnsafeArgv { argc, argv, lengths in
            redisCommandArgv(self.context, argc, argv, lengths)
        }
        guard let raw else {
            let error = RedisError(failedContext: self.context, errno: errno, connecting: false)  // errno first
            self.broken.store(true, ordering: .releasing)
            throw error
        }
        defer { freeReplyObject(raw) }
        let reply = try RedisReply(copying: raw.assumingMemoryBound(to: redisReply.self))
        if case .error(let message) = reply {
            throw RedisError(serverMessage: message)
        }
        return reply
    }
}

extension timeval {
    fileprivate init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self.init(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
    }
}
