import Foundation
import Logging
import ServiceLifecycle
import Shared
import Testing

@testable import Edge

/// The settler against a real Redis: every stream that ends is settled once, however the settlements arrive.
@Suite(.timeLimit(.minutes(1))) struct SettlerTests {
    let store: QuotaStore
    let policy = QuotaPolicy(limit: 1_000_000, period: try! PeriodSpec(period: "7d"))
    let student = StudentRef(course: "SETTLE-\(UInt64.random(in: 0...UInt64.max))", student: "s")

    init() throws {
        self.store = QuotaStore(pool: RedisPool(.init(endpoint: try RedisEndpoint(url: LiveStack.redisURL)), logger: Logger(label: "test")))
    }

    /// Holds 100 for each of `count` leases and returns their admissions.
    func admit(_ count: Int, window: PeriodWindow) async throws -> [Admission] {
        var admissions: [Admission] = []
        for index in 0..<count {
            let leaseID = "lease-\(index)"
            let reservation = try await self.store.reserve(
                self.student, policy: self.policy, window: window, leaseID: leaseID, estimate: 100, deadline: Date().addingTimeInterval(600)
            )
            guard case .admitted(let hold, let before) = reservation else { throw SettlerTestError.refused }
            admissions.append(Admission(leaseID: leaseID, student: self.student, policy: self.policy, window: window, hold: hold, before: before))
        }
        return admissions
    }

    /// Settlements from many tasks at once, the server shutting down right after the last: each lease is
    /// charged once, and what was still waiting when the shutdown came is settled before the settler stops,
    /// whether batches go at once or wait to ride with another command.
    @Test(arguments: [nil, 5] as [Int?])
    func everySettlementHandedOverLandsOnceEvenAsTheEdgeShutsDown(settleWithinMilliseconds: Int?) async throws {
        let window = self.policy.period.window(containing: Date())
        let admissions = try await self.admit(200, window: window)
        let settler = Settler(
            store: self.store, emergency: EmergencyAllowance(), logger: Logger(label: "test"),
            sendWithin: settleWithinMilliseconds.map { .milliseconds($0) }
        )
        let group = ServiceGroup(services: [settler], logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            await withTaskGroup(of: Void.self) { senders in
                for (index, admission) in admissions.enumerated() {
                    senders.addTask { settler.enqueue(admission, charge: Int64(index % 7 + 1)) }
                }
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        let (balance, _) = try await self.store.balance(self.student, policy: self.policy, window: window)
        let charged = admissions.indices.reduce(Int64(0)) { $0 + Int64($1 % 7 + 1) }
        #expect(balance.held == 0)
        #expect(balance.used == charged)
    }

    /// A lease handed over twice (a retried settle) is still charged once.
    @Test func aSettlementHandedOverTwiceIsChargedOnce() async throws {
        let window = self.policy.period.window(containing: Date())
        let admission = try #require(try await self.admit(1, window: window).first)
        let settler = Settler(store: self.store, emergency: EmergencyAllowance(), logger: Logger(label: "test"))
        let group = ServiceGroup(services: [settler], logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            settler.enqueue(admission, charge: 42)
            settler.enqueue(admission, charge: 42)
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        let (balance, _) = try await self.store.balance(self.student, policy: self.policy, window: window)
        #expect(balance.used == 42)
        #expect(balance.held == 0)
    }
}

enum SettlerTestError: Error {
    case refused
}
