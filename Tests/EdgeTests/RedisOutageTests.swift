import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Shared
import Testing

@testable import Edge

/// Redis goes away under traffic: fail-open courses keep serving under the per-edge emergency cap, and
/// what they used reaches Redis once it is back; fail-closed courses get a 503.
@Suite(.serialized, .timeLimit(.minutes(2))) struct RedisOutageTests {
    typealias Requests = StreamingPassthroughTests

    @Test func failOpenServesThroughAnOutageAndSettlesAfterwards() async throws {
        let redis = try PrivateRedis()
        try await redis.start()
        let policy = QuotaPolicy.testing(limit: 1_000_000_000)
        try await LiveStack.run(policy: policy, redisURL: redis.url) { stack in
            let closedKey = VirtualKey.generate()
            let closedStudent = StudentRef(course: stack.student.course + "-closed", student: "c1")
            try await stack.directory.setPolicy(.testing(limit: 1_000_000_000, failMode: .closed), course: closedStudent.course)
            try await stack.directory.issueKey(
                sha256Hex: closedKey.sha256Hex,
                record: KeyRecord(student: closedStudent, state: .active, keyID: closedKey.keyID)
            )
            var expected: Int64 = 0
            for _ in 0..<3 {
                let (response, _) = try await QuotaEnforcementTests.send(Requests.messagesRequest(stack))
                #expect(response.status == .ok)
                expected += try QuotaEnforcementTests.charge(stack, try #require(response.headers.first(name: "request-id")), policy: policy)
            }
            let (warmed, _) = try await QuotaEnforcementTests.send(Requests.messagesRequest(stack, key: closedKey.secretText))
            #expect(warmed.status == .ok)

            redis.kill()
            var servedWithoutRedis: Set<String> = []
            for _ in 0..<5 {
                let (response, _) = try await QuotaEnforcementTests.send(Requests.messagesRequest(stack))
                #expect(response.status == .ok, "a fail-open course keeps serving while Redis is down")
                if let id = response.headers.first(name: "request-id") {
                    expected += try QuotaEnforcementTests.charge(stack, id, policy: policy)
                    servedWithoutRedis.insert(id)
                }
            }
            let records = try await stack.records { records in servedWithoutRedis.isSubset(of: Set(records.compactMap(\.upstreamRequestID))) }
            let marked = records.filter { $0.failOpen == true }.compactMap(\.upstreamRequestID)
            #expect(marked.sorted() == servedWithoutRedis.sorted(), "marked for the coordinator to settle, and only they")
            let (closed, body) = try await QuotaEnforcementTests.send(Requests.messagesRequest(stack, key: closedKey.secretText))
            #expect(closed.status == .serviceUnavailable)
            #expect(String(buffer: body).contains("api_error"))

            try await redis.start()
            let balance = try await QuotaEnforcementTests.waitForSettled(stack, policy: policy) { $0.used == expected && $0.held == 0 }
            #expect(balance.used == expected, "usage during the outage reached Redis once it was back")
        }
    }
}
