import Foundation
import Logging
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

    @Test func unreachableServerFailsFastWithConnectionFailed() async throws {
        let start = ContinuousClock.now
        let error = await #expect(throws: RedisError.self) {
            try await RedisConnection.connect(url: "redis://127.0.0.1:1")
        }
        #expect(error?.kind == .connectionFailed)
        #expect(ContinuousClock.now - start < .seconds(1))
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

    // MARK: - Executor

    @Test func executorRunsBlockingWorkOnItsOwnQueue() async throws {
        let connection = try await self.connect()
        #expect(!connection.executor.isCurrent)
        #expect(await connection.executor.run { connection.executor.isCurrent })
        #expect(await IsolatedCaller().runs(on: connection.executor))
    }

    @Test func blockingCommandsOnSeparateConnectionsOverlap() async throws {
        // Eight 1 s BLPOPs: on the 2-thread cooperative pool they would take 4 s; each on its own queue, 1 s.
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

    @Test(arguments: [
        "http://127.0.0.1:6379", "redis://", "redis://h:1/notanumber", "redis://h:70000", "redis://:pw@h/0?x=1", "pw",
    ])
    func malformedURLIsRefusedWithoutEchoingIt(url: String) throws {
        let error = #expect(throws: RedisError.self) { try RedisEndpoint(url: url) }
        #expect(error?.kind == .invalidURL)
        #expect(error.map { !"\($0)".contains(url) } == true)
    }

    // MARK: - Pool

    func pool(maxConnections: Int, commandTimeout: Duration = .seconds(5), url: String = Self.url) throws -> RedisPool {
        let configuration = RedisPool.Configuration(
            endpoint: try RedisEndpoint(url: url),
            maxConnections: maxConnections,
            commandTimeout: commandTimeout
        )
        return RedisPool(configuration, logger: Logger(label: "goosey.test.redis"))
    }

    @Test func poolLendsEachConnectionToOneTaskAtATimeAndOpensAtMostItsMaximum() async throws {
        let pool = try self.pool(maxConnections: 2)
        let lent = LentConnections()
        let ids = try await withThrowingTaskGroup(of: RedisReply.self) { group in
            for _ in 0..<12 {
                group.addTask {
                    try await pool.withConnection { connection in
                        #expect(lent.take(connection), "a connection was lent to two tasks at once")
                        defer { lent.give(connection) }
                        return try await connection.command(["CLIENT", "ID"])
                    }
                }
            }
            return try await group.reduce(into: Set<RedisReply>()) { $0.insert($1) }
        }
        #expect(ids.count <= 2)
    }

    @Test func poolReplacesABrokenConnectionOnNextUse() async throws {
        let pool = try self.pool(maxConnections: 1, commandTimeout: .milliseconds(200))
        let first = try await pool.withConnection { connection in
            let id = try await connection.command(["CLIENT", "ID"])
            _ = try? await connection.command(["BLPOP", self.prefix + "never", "2"])
            #expect(connection.isBroken)
            return id
        }
        let second = try await pool.withConnection { try await $0.command(["CLIENT", "ID"]) }
        #expect(second != first)
    }

    @Test func poolFreesTheSlotWhenConnectingFails() async throws {
        let pool = try self.pool(maxConnections: 1, url: "redis://127.0.0.1:1")
        for _ in 0..<2 {  // the second attempt would wait forever if the first had kept the slot
            let error = await #expect(throws: RedisError.self) { try await pool.withConnection { try await $0.ping() } }
            #expect(error?.kind == .connectionFailed)
        }
    }

    @Test func cancelledWaiterLeavesTheLine() async throws {
        let pool = try self.pool(maxConnections: 1)
        let (held, holding) = AsyncStream.makeStream(of: Void.self)
        let (release, releasing) = AsyncStream.makeStream(of: Void.self)
        let holder = Task {
            defer { holding.finish() }  // so a failed connect fails the test instead of hanging it
            try await pool.withConnection { _ in
                holding.yield()
                for await _ in release { break }
            }
        }
        for await _ in held { break }
        let waiter = Task { try await pool.withConnection { try await $0.ping() } }
        try await Task.sleep(for: .milliseconds(50))
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        releasing.yield()
        try await holder.value
        try await pool.withConnection { try await $0.ping() }
    }
}

/// Calls from an actor's isolation, to show the executor preference still moves the work.
private actor IsolatedCaller {
    func runs(on executor: SerialQueueExecutor) async -> Bool {
        await executor.run { executor.isCurrent }
    }
}

/// The connections lent out right now.
private final class LentConnections: Sendable {
    private let lent = Mutex(Set<ObjectIdentifier>())

    /// Marks `connection` lent; `false` if it already was.
    func take(_ connection: RedisConnection) -> Bool {
        self.lent.withLock { $0.insert(ObjectIdentifier(connection)).inserted }
    }

    func give(_ connection: RedisConnection) {
        _ = self.lent.withLock { $0.remove(ObjectIdentifier(connection)) }
    }
}
