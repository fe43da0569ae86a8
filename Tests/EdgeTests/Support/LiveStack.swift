import AsyncHTTPClient
import Configuration
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Shared
import Testing

@testable import Edge
@testable import MockUpstream

/// A mock upstream and an edge in front of it, both live on loopback ports chosen by the system.
struct LiveStack {
    static let upstreamKey = "sk-ant-api03-test-upstream-key"
    static let redisURL = ProcessInfo.processInfo.environment["GOOSEY_TEST_REDIS_URL"] ?? "redis://127.0.0.1:16379"

    /// Every edge of the stack; they share the mock and Redis.
    let edgeURLs: [String]
    var edgeURL: String { self.edgeURLs[0] }
    let mockRecorder: MockRecorder
    /// Holds one spool directory per edge.
    let spoolRoot: String
    /// A key of `student`, whose course has `policy`.
    let studentKey: String
    let student: StudentRef
    let directory: Directory
    let store: QuotaStore
    /// The test's own connections to the stack's Redis.
    let directoryPool: RedisPool

    /// Provisions another student of the same course and returns their key.
    func issueKey(for student: String, state: KeyState = .active) async throws -> VirtualKey {
        let key = VirtualKey.generate()
        let ref = StudentRef(course: self.student.course, student: student)
        try await self.directory.issueKey(sha256Hex: key.sha256Hex, record: KeyRecord(student: ref, state: state, keyID: key.keyID))
        return key
    }

    /// The edge's request records, waiting (bounded) until `condition` holds for them.
    func records(
        timeout: Duration = .seconds(10),
        until condition: ([RequestRecord]) -> Bool = { !$0.isEmpty }
    ) async throws -> [RequestRecord] {
        let deadline = ContinuousClock.now + timeout
        while true {
            let records = Self.readRecords(under: self.spoolRoot)
            if condition(records) { return records }
            guard ContinuousClock.now < deadline else {
                Issue.record("timed out waiting for request records; have \(records.count)")
                return records
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Every record in the spool segments under `root`, whole lines only.
    static func readRecords(under root: String) -> [RequestRecord] {
        let files = (FileManager.default.subpaths(atPath: root) ?? []).filter { SpoolSegments.sequence(of: ($0 as NSString).lastPathComponent) != nil }
        return files.sorted().flatMap { file -> [RequestRecord] in
            guard let data = FileManager.default.contents(atPath: root + "/" + file) else { return [] }
            return data.split(separator: UInt8(ascii: "\n")).compactMap { try? JSONDecoder().decode(RequestRecord.self, from: Data($0)) }
        }
    }

    /// Runs `body` with a fresh stack and tears it down afterwards.
    static func run(
        edgeSettings: [String: ConfigValue] = [:],
        policy: QuotaPolicy = .testing(limit: 100_000_000_000),
        edges: Int = 1,
        redisURL: String = Self.redisURL,
        now: @escaping @Sendable () -> Date = { Date() },
        _ body: @Sendable (LiveStack) async throws -> Void
    ) async throws {
        let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        let pool = RedisPool(.init(endpoint: try RedisEndpoint(url: redisURL)), logger: logger)
        let directory = Directory(pool: pool)
        let student = StudentRef(course: "T-\(UInt32.random(in: 0...UInt32.max))", student: "s1")
        try await directory.setPolicy(policy, course: student.course)
        let key = VirtualKey.generate()
        try await directory.issueKey(sha256Hex: key.sha256Hex, record: KeyRecord(student: student, state: .active, keyID: key.keyID))
        let recorder = MockRecorder(capacity: 1000)
        let mockPort = PortPromise()
        let mock = buildMockApplication(
            MockConfiguration(port: 0, apiKey: Self.upstreamKey),
            logger: logger,
            recorder: recorder,
            onServerRunning: { await mockPort.fulfil($0.localAddress?.port ?? 0) }
        )
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await mock.runService(gracefulShutdownSignals: []) }
            let spoolRoot = NSTemporaryDirectory() + "goosey-spool-\(UUID().uuidString)"
            var edgeURLs: [String] = []
            for index in 0..<edges {
                var values: [AbsoluteConfigKey: ConfigValue] = [
                    "http.port": 0,
                    "upstream.url": .init(.string("http://127.0.0.1:\(await mockPort.value)"), isSecret: false),
                    "redis.url": .init(.string(redisURL), isSecret: true),
                    "spool.path": .init(.string(spoolRoot + "/edge-\(index)"), isSecret: false),
                ]
                for (key, value) in edgeSettings { values[AbsoluteConfigKey(key.split(separator: ".").map(String.init))] = value }
                let configuration = try EdgeConfiguration(
                    reader: ConfigReader(provider: InMemoryProvider(values: values)),
                    environment: ["ANTHROPIC_API_KEY": Self.upstreamKey]
                )
                let edgePort = PortPromise()
                let edge = try buildEdge(configuration, logger: logger, now: now, onServerRunning: { await edgePort.fulfil($0.localAddress?.port ?? 0) })
                group.addTask { try await edge.runService(gracefulShutdownSignals: []) }
                edgeURLs.append("http://127.0.0.1:\(await edgePort.value)")
            }
            defer { try? FileManager.default.removeItem(atPath: spoolRoot) }
            let stack = LiveStack(
                edgeURLs: edgeURLs,
                mockRecorder: recorder,
                spoolRoot: spoolRoot,
                studentKey: key.secretText,
                student: student,
                directory: directory,
                store: QuotaStore(pool: pool),
                directoryPool: pool
            )
            try await body(stack)
            group.cancelAll()
        }
    }
}

/// A port number that arrives once a server is listening.
actor PortPromise {
    private var port: Int?
    private var waiters: [CheckedContinuation<Int, Never>] = []

    func fulfil(_ port: Int) {
        self.port = port
        for waiter in self.waiters { waiter.resume(returning: port) }
        self.waiters = []
    }

    var value: Int {
        get async {
            if let port { return port }
            return await withCheckedContinuation { self.waiters.append($0) }
        }
    }
}

extension QuotaPolicy {
    /// A weekly token allowance in UTC; `limit` in milli-tokens.
    static func testing(limit: Int64, carryOver: CarryOver = .none, failMode: FailMode = .open) -> QuotaPolicy {
        QuotaPolicy(limit: limit, period: try! PeriodSpec(period: "7d"), carryOver: carryOver, failMode: failMode)
    }
}
