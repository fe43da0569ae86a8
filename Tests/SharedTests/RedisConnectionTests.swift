import Foundation
import Logging
import NIOCore
import NIOPosix
import Synchronization
import Testing

@testable import Shared

/// Against a real Redis: `ops/test-services start` (or `ops/test`) runs one and sets `GOOSEY_TEST_REDIS_URL`.
/// A Redis that is not there fails these tests; it never skips them.
@Suite(.timeLimit(.minutes(1)))
struct RedisConnectionTests {
    static let url = ProcessInfo.processInfo.environment["GOOSEY_TEST_REDIS_URL"] ?? "redis://127.0.0.1:16379"

    /// A key prefix of this test's own, so suites can share one server.
    let prefix = "goosey-test:\(UInt64.random(in: .min ... .max)):"

    func connect(commandTimeout: Duration = .seconds(5)) async throws -> RedisConnection {
        try await RedisConnection.connect(url: Self.url, commandTimeout: commandTimeout)
    }

    // MARK: - Connection

    @Test func connectsAndAnswersPing() async throws {
        let connection = try await self.connect()
        try await connection.ping()
        #expect(!connection.isBroken)
    }

    @Test func setThenGetRoundTripsEveryByteValue() async throws {
        let connection = try await self.connect()
        let key = Array((self.prefix + "bytes\u{0}\r\n").utf8)
        let value = (0...255).map(UInt8.init) + [0, 13, 10, 0]
        #expect(try await connection.command([Array("SET".utf8), key, value]) == .status("OK"))
        #expect(try await connection.command([Array("GET".utf8), key]) == .data(value))
        #expect(try await connection.command(["GET", self.prefix + "missing"]) == .null)
    }

    @Test func arrayRepliesKeepTheirNestingNullsAndErrors() async throws {
        let connection = try await self.connect()
        let list = self.prefix + "list"
        #expect(try await connection.command(["RPUSH", list, "a", "", "c"]) == .integer(3))
        #expect(
            try await connection.command(["LRANGE", list, "0", "-1"]) == .array([.data([97]), .data([]), .data([99])])
        )
        let script = "return {1, {'x', false}, {err = 'NOPE nested'}, {}}"
        let reply = try await connection.command(["EVAL", script, "0"])
        #expect(reply == .array([.integer(1), .array([.data([120]), .null]), .error("NOPE nested"), .array([])]))
    }

    @Test func errorReplyThrowsServerErrorWithItsCode() async throws {
        let connection = try await self.connect()
        let key = self.prefix + "string"
        _ = try await connection.command(["SET", key, "v"])
        let error = await #expect(throws: RedisError.self) { try await connection.command(["LPUSH", key, "x"]) }
        #expect(error?.kind == .server)
        #expect(error?.code == "WRONGTYPE")
        try await connection.ping()  // an error reply leaves the connection usable
        #expect(!connection.isBroken)
    }

    @Test func errorDescriptionNeverRepeatsCommandArguments() async throws {
        let connection = try await self.connect()
        let secret = "sk-ant-api03-not-a-real-key"
        let error = await #expect(throws: RedisError.self) { try await connection.command(["NOSUCHCOMMAND", secret]) }
        #expect(error?.code == "ERR")
        #expect(error.map { !"\($0)".contains(secret) } == true)
        #expect(error?.serverMessage?.contains(secret) == true)  // Redis does echo it: why description leaves it out
    }

    @Test func connectsOverTheUnixSocketTheServerListensOn() async throws {
        let overTCP = try await self.connect()
        let path = try await overTCP.command(["CONFIG", "GET", "unixsocket"]).array?.last?.string ?? ""
        try #require(!path.isEmpty, "the test Redis listens on no Unix socket: restart it with ops/test-services")
        let key = self.prefix + "over-the-socket"
        _ = try await overTCP.command(["SET", key, "seen from TCP"])

        let overSocket = try await RedisConnection.connect(url: "unix://\(path)")
        #expect(try await overSocket.command(["GET", key]) == .data(Array("seen from TCP".utf8)))
        let socketClients = try await overSocket.command(["CLIENT", "INFO"]).string ?? ""
        #expect(socketClients.contains("laddr=\(path)"))
    }

    @Test func commandsThatMayWaitGoOutWithTheNextCommand() async throws {
        let connection = try await self.connect()
        let key = self.prefix + "rides-along"
        let answered = Answered()
        let waiting = Task {
            defer { answered.value.store(true, ordering: .releasing) }
            return try await connection.pipeline([["SET", key, "v"]], sendWithin: .seconds(60))
        }
        // Nothing else is sent, so nothing may come back: a reply would mean the SET went out by itself.
        try await Task.sleep(for: .milliseconds(300))
        let answeredAlready = answered.value.load(ordering: .acquiring)
        #expect(!answeredAlready)

        try await connection.ping()  // takes the SET along
        #expect(try await waiting.value.map { try $0.get() } == [.status("OK")])
        #expect(try await connection.command(["GET", key]) == .data(Array("v".utf8)))
    }

    @Test func aShorterWaitIsNotHeldUpByALongerOne() async throws {
        let connection = try await self.connect()
        let answered = Answered()
        let long = Task {
            defer { answered.value.store(true, ordering: .releasing) }
            return try await connection.pipeline([["PING"]], sendWithin: .seconds(60))
        }
        try await Task.sleep(for: .milliseconds(300))
        let longAnsweredAlready = answered.value.load(ordering: .acquiring)
        #expect(!longAnsweredAlready)

        // The 50 ms deadline replaces the 60 s one (which the command timeout would have cut short): both go.
        let start = ContinuousClock.now
        let replies = try await connection.pipeline([["PING"]], sendWithin: .milliseconds(50))
        #expect(try replies.map { try $0.get() } == [.status("PONG")])
        #expect(ContinuousClock.now - start < .seconds(1))
        #expect(try await long.value.map { try $0.get() } == [.status("PONG")])
    }

    @Test func commandsThatMayWaitGoOutAloneWhenNothingElseIsSent() async throws {
        let connection = try await self.connect()
        let start = ContinuousClock.now
        let replies = try await connection.pipeline([["PING"]], sendWithin: .milliseconds(50))
        #expect(try replies.map { try $0.get() } == [.status("PONG")])
        #expect(ContinuousClock.now - start >= .milliseconds(50))
    }

    @Test func unreachableServerFailsFastWithConnectionFailed() async throws {
        // A refused connection is reported as refused, not waited out: with a connect timeout far longer than
        // any scheduling delay on a busy machine, the answer still comes as a connection failure well before it.
        let start = ContinuousClock.now
        let error = await #expect(throws: RedisError.self) {
            try await RedisConnection.connect(to: try RedisEndpoint(url: "redis://127.0.0.1:1"), connectTimeout: .seconds(60))
        }
        #expect(error?.kind == .connectionFailed)
        #expect(ContinuousClock.now - start < .seconds(30))
    }

    @Test func wrongPasswordFailsWithoutShowingThePassword() async throws {
        let endpoint = try RedisEndpoint(url: Self.url)
        let password = "hunter2-\(UInt32.random(in: 0 ... .max))"
        let wrong = RedisEndpoint(host: endpoint.host, port: endpoint.port, password: password)
        let error = await #expect(throws: RedisError.self) { try await RedisConnection.connect(to: wrong) }
        #expect(error?.kind == .server)
        #expect(error.map { !"\($0)".contains(password) } == true)
    }

    @Test func databaseInTheURLIsSelected() async throws {
        var endpoint = try RedisEndpoint(url: Self.url)
        endpoint.database = 2
        let other = try await RedisConnection.connect(to: endpoint)
        let key = self.prefix + "db"
        _ = try await other.command(["SET", key, "in 2"])
        #expect(try await self.connect().command(["GET", key]) == .null)
        #expect(try await other.command(["GET", key]) == .data(Array("in 2".utf8)))
    }

    @Test func replySlowerThanCommandTimeoutTimesOutAndBreaksTheConnection() async throws {
        let connection = try await self.connect(commandTimeout: .milliseconds(200))
        let error = await #expect(throws: RedisError.self) {
            try await connection.command(["BLPOP", self.prefix + "never", "2"])
        }
        #expect(error?.kind == .timeout)
        #expect(connection.isBroken)
        let next = await #expect(throws: RedisError.self) { try await connection.ping() }
        #expect(next?.kind == .connectionBroken)
    }

    @Test func emptyCommandIsRefusedBeforeReachingHiredis() async throws {
        let connection = try await self.connect()
        let error = await #expect(throws: RedisError.self) { try await connection.command([] as [String]) }
        #expect(error?.kind == .invalidCommand)
        try await connection.ping()
    }

    // MARK: - Concurrency

    @Test func concurrentCommandsOnOneConnectionEachGetTheirOwnReply() async throws {
        let connection = try await self.connect()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<200 {
                group.addTask {
                    let text = "reply \(index) " + String(repeating: "x", count: index * 37)
                    let replies = try await connection.pipeline([["ECHO", text], ["ECHO", "second \(index)"]])
                    let first = try replies[0].get()
                    let second = try replies[1].get()
                    #expect(first == .data(Array(text.utf8)))
                    #expect(second == .data(Array("second \(index)".utf8)))
                }
            }
            try await group.waitForAll()
        }
        #expect(!connection.isBroken)
    }

    @Test func blockingCommandsOnSeparateConnectionsOverlap() async throws {
        // Eight 1 s BLPOPs on 2 event loops: if a wait blocked a thread they would take 4 s; they take 1 s.
        var connections: [RedisConnection] = []
        for _ in 0..<8 { connections.append(try await self.connect()) }
        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: RedisReply.self) { group in
            for (index, connection) in connections.enumerated() {
                group.addTask { try await connection.command(["BLPOP", self.prefix + "wait\(index)", "1"]) }
            }
            for try await reply in group { #expect(reply == .null) }
        }
        #expect(ContinuousClock.now - start < .seconds(3))
    }

    // MARK: - Endpoint

    @Test func urlWithUserPasswordAndDatabaseParses() throws {
        let endpoint = try RedisEndpoint(url: "redis://alice:s%40cret@cache.internal:6380/3")
        #expect(
            endpoint
                == RedisEndpoint(host: "cache.internal", port: 6380, username: "alice", password: "s@cret", database: 3)
        )
        #expect(!endpoint.description.contains("s@cret"))
        #expect(try RedisEndpoint(url: "redis://:pw@127.0.0.1") == RedisEndpoint(host: "127.0.0.1", password: "pw"))
    }

    @Test func unixSocketURLWithPasswordAndDatabaseParses() throws {
        let endpoint = try RedisEndpoint(url: "unix://alice:s%40cret@/run/redis/redis.sock?db=2")
        #expect(
            endpoint
                == RedisEndpoint(socketPath: "/run/redis/redis.sock", username: "alice", password: "s@cret", database: 2)
        )
        #expect(!endpoint.description.contains("s@cret"))
        #expect(try RedisEndpoint(url: "unix:///tmp/r.sock") == RedisEndpoint(socketPath: "/tmp/r.sock"))
    }

    @Test(arguments: [
        "http://127.0.0.1:6379", "redis://", "redis://h:1/notanumber", "redis://h:70000", "redis://:pw@h/0?x=1", "pw",
        "unix:///", "unix://host/tmp/r.sock", "unix:///tmp/r.sock?db=x", "unix://:pw@/tmp/r.sock?timeout=1",
    ])
    func malformedURLIsRefusedWithoutEchoingIt(url: String) throws {
        let error = #expect(throws: RedisError.self) { try RedisEndpoint(url: url) }
        #expect(error?.kind == .invalidURL)
        #expect(error.map { !"\($0)".contains(url) } == true)
    }

    // MARK: - Pool

    func pool(commandTimeout: Duration = .seconds(5), url: String = Self.url) throws -> RedisPool {
        let configuration = RedisPool.Configuration(endpoint: try RedisEndpoint(url: url), commandTimeout: commandTimeout)
        return RedisPool(configuration, logger: Logger(label: "goosey.test.redis"))
    }

    @Test func poolOpensOneConnectionPerEventLoopEvenWhenManyAskAtOnce() async throws {
        let pool = try self.pool()
        let eventLoop = MultiThreadedEventLoopGroup.singleton.next()
        let ids = try await withThrowingTaskGroup(of: RedisReply.self) { group in
            for _ in 0..<24 {
                group.addTask {
                    let connection = try await pool.connection(on: eventLoop)
                    #expect(connection.eventLoop === eventLoop)
                    return try await connection.command(["CLIENT", "ID"])
                }
            }
            return try await group.reduce(into: Set<RedisReply>()) { $0.insert($1) }
        }
        #expect(ids.count == 1)
    }

    @Test func poolReplacesABrokenConnectionOnNextUse() async throws {
        let pool = try self.pool(commandTimeout: .milliseconds(200))
        let eventLoop = MultiThreadedEventLoopGroup.singleton.next()
        let first = try await pool.connection(on: eventLoop)
        let firstID = try await first.command(["CLIENT", "ID"])
        _ = try? await first.command(["BLPOP", self.prefix + "never", "2"])
        #expect(first.isBroken)
        let secondID = try await pool.connection(on: eventLoop).command(["CLIENT", "ID"])
        #expect(secondID != firstID)
    }

    @Test func poolConnectsAnewAfterAFailedConnect() async throws {
        let eventLoop = MultiThreadedEventLoopGroup.singleton.next()
        let port = try await FakePongServer.freePort()
        let pool = try self.pool(url: "redis://127.0.0.1:\(port)")
        let error = await #expect(throws: RedisError.self) { try await pool.connection(on: eventLoop) }
        #expect(error?.kind == .connectionFailed)
        let server = try await FakePongServer.start(port: port)
        defer { server.close(promise: nil) }
        try await pool.connection(on: eventLoop).ping()  // a remembered failure would throw again here
    }
}

/// A server that answers every read with `+PONG`: enough for `PING`, nothing else.
private enum FakePongServer {
    final class Answer: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            context.writeAndFlush(self.wrapOutboundOut(ByteBuffer(string: "+PONG\r\n")), promise: nil)
        }
    }

    static func start(port: Int) async throws -> any Channel {
        try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { $0.pipeline.addHandler(Answer()) }
            .bind(host: "127.0.0.1", port: port).get()
    }

    /// A port nothing listens on: bound by the system, then let go.
    static func freePort() async throws -> Int {
        let channel = try await Self.start(port: 0)
        let port = channel.localAddress!.port!
        try await channel.close()
        return port
    }
}

/// Set by a task when its command was answered.
private final class Answered: Sendable {
    let value = Atomic<Bool>(false)
}
