import CHiredis
import NIOCore
import NIOPosix
import Synchronization

/// One connection to Redis, driven by a NIO event loop: nothing blocks, and a command sent from that
/// loop (where the edge's requests run) costs no thread switch.
///
/// Any number of tasks may send commands at once; they are pipelined on the wire and each gets its own
/// reply (`RedisChannelHandler`). Blocking commands (`BLPOP`…) hold up everyone behind them, so a
/// connection shared through a `RedisPool` must never be sent one.
public final class RedisConnection: Sendable {
    /// Set once by the channel handler when the connection can no longer be used.
    final class BrokenFlag: Sendable {
        private let value = Atomic<Bool>(false)
        func set() { self.value.store(true, ordering: .releasing) }
        var isSet: Bool { self.value.load(ordering: .acquiring) }
    }

    let channel: any Channel
    private let handler: NIOLoopBound<RedisChannelHandler>
    private let broken: BrokenFlag

    private init(channel: any Channel, handler: NIOLoopBound<RedisChannelHandler>, broken: BrokenFlag) {
        self.channel = channel
        self.handler = handler
        self.broken = broken
    }

    deinit {
        self.channel.close(promise: nil)
    }

    /// The event loop this connection's I/O runs on.
    public var eventLoop: any EventLoop { self.channel.eventLoop }

    /// Whether an I/O, timeout or protocol error has made this connection unusable. A server's error reply does not.
    public var isBroken: Bool { self.broken.isSet }

    /// Opens a connection, then sends `AUTH` and `SELECT` as the endpoint asks.
    /// - Parameters:
    ///   - connectTimeout: the longest to wait for the TCP connection.
    ///   - commandTimeout: the longest any reply may take; a timeout breaks the connection.
    ///   - eventLoop: the loop to run on; by default the caller's, if it runs on one of NIO's.
    /// - Throws: `RedisError`, of kind `.connectionFailed`, `.timeout` or `.server` (a wrong password).
    public static func connect(
        to endpoint: RedisEndpoint,
        connectTimeout: Duration = .seconds(2),
        commandTimeout: Duration = .seconds(5),
        on eventLoop: (any EventLoop)? = nil
    ) async throws(RedisError) -> RedisConnection {
        let eventLoop = eventLoop ?? MultiThreadedEventLoopGroup.singleton.any()
        let broken = BrokenFlag()
        let commandTimeout = TimeAmount(commandTimeout)
        var bootstrap = ClientBootstrap(group: eventLoop).connectTimeout(TimeAmount(connectTimeout))
        if endpoint.socketPath == nil {
            bootstrap = bootstrap
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelOption(.socketOption(.so_keepalive), value: 1)
        }
        bootstrap = bootstrap
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        RedisChannelHandler(commandTimeout: commandTimeout, broken: broken)
                    )
                }
            }
        let channel: any Channel
        do {
            if let socketPath = endpoint.socketPath {
                channel = try await bootstrap.connect(unixDomainSocketPath: socketPath).get()
            } else {
                channel = try await bootstrap.connect(host: endpoint.host, port: endpoint.port).get()
            }
        } catch {
            if case ChannelError.connectTimeout = error {
                throw RedisError(kind: .timeout, detail: "no connection within \(connectTimeout)")
            }
            throw RedisError(kind: .connectionFailed, detail: "could not connect: \(error)")
        }
        let handler: NIOLoopBound<RedisChannelHandler>
        do {
            handler = try await channel.eventLoop.submit {
                NIOLoopBound(try channel.pipeline.syncOperations.handler(type: RedisChannelHandler.self), eventLoop: channel.eventLoop)
            }.get()
        } catch {
            channel.close(promise: nil)
            throw RedisError(kind: .connectionClosed, detail: "the connection closed while opening")
        }
        let connection = RedisConnection(channel: channel, handler: handler, broken: broken)
        try await connection.logIn(endpoint)
        return connection
    }

    /// Opens a connection to a `redis://[[user]:password@]host[:port][/db]` or `unix://[[user]:password@]/path[?db=N]` URL.
    public static func connect(
        url: String,
        connectTimeout: Duration = .seconds(2),
        commandTimeout: Duration = .seconds(5)
    ) async throws(RedisError) -> RedisConnection {
        try await Self.connect(to: RedisEndpoint(url: url), connectTimeout: connectTimeout, commandTimeout: commandTimeout)
    }

    private func logIn(_ endpoint: RedisEndpoint) async throws(RedisError) {
        if let password = endpoint.password {
            _ = try await self.command(endpoint.username.map { ["AUTH", $0, password] } ?? ["AUTH", password])
        }
        if endpoint.database != 0 {
            _ = try await self.command(["SELECT", String(endpoint.database)])
        }
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
        let reply = try await self.send([argv], expectedReplies: 1)[0]
        return try reply.get()
    }

    /// Writes `commands` in one go and waits for `expectedReplies` replies.
    /// - Parameter sendWithin: how long the commands may wait to go out in the same system call as the next
    ///   command sent on this connection (and to be read by Redis in the same wake-up); nil sends them at once.
    func send(
        _ commands: [RedisArgv], expectedReplies: Int, sendWithin: Duration? = nil
    ) async throws(RedisError) -> [Result<RedisReply, RedisError>] {
        guard !self.isBroken else {
            throw RedisError(kind: .connectionBroken, detail: "an earlier error broke this connection")
        }
        let replies = self.channel.eventLoop.makePromise(of: [Result<RedisReply, RedisError>].self)
        let request = RedisRequest(
            commands: commands, expectedReplies: expectedReplies, replies: replies, sendWithin: sendWithin.map(TimeAmount.init)
        )
        // The write fails only if the handler never saw the request (the channel had closed); once it has,
        // the handler completes `replies` itself.
        let written = sendWithin == nil ? self.channel.writeAndFlush(request) : self.channel.write(request)
        written.whenFailure { _ in
            replies.fail(RedisError(kind: .connectionBroken, detail: "the connection is closed"))
        }
        do {
            return try await replies.futureResult.get()
        } catch let error as RedisError {
            throw error
        } catch {
            throw RedisError(kind: .io, detail: "\(error)")
        }
    }

    /// The next push (a message or a pong), or nil if none arrives within `timeout`.
    func nextPush(timeout: Duration) async throws(RedisError) -> RedisReply? {
        let handler = self.handler
        let timeout = TimeAmount(timeout)
        do {
            return try await self.channel.eventLoop.flatSubmit {
                handler.value.nextPush(timeout: timeout, eventLoop: handler.eventLoop)
            }.get()
        } catch let error as RedisError {
            throw error
        } catch {
            throw RedisError(kind: .io, detail: "\(error)")
        }
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
