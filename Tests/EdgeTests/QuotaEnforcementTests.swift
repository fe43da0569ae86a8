import Configuration
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Shared
import Testing

@testable import Edge
@testable import MockUpstream

/// Allowances enforced through live edges, the mock upstream and a real Redis.
@Suite(.timeLimit(.minutes(2))) struct QuotaEnforcementTests {
    typealias Requests = StreamingPassthroughTests

    static func send(_ request: HTTPClientRequest) async throws -> (HTTPClientResponse, ByteBuffer) {
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        return (response, try await response.body.collect(upTo: 1 << 20))
    }

    /// The mock's usage for `requestID`, charged as the policy charges it.
    static func charge(_ stack: LiveStack, _ requestID: String, policy: QuotaPolicy) throws -> Int64 {
        let mock = try #require(stack.mockRecorder.record(id: requestID))
        let usage = TokenUsage(
            inputTokens: Int64(mock.usage.inputTokens),
            cacheCreation5mTokens: Int64(mock.usage.cacheCreation.ephemeral5mInputTokens),
            cacheCreation1hTokens: Int64(mock.usage.cacheCreation.ephemeral1hInputTokens),
            cacheReadTokens: Int64(mock.usage.cacheReadInputTokens),
            outputTokens: Int64(mock.usage.outputTokens)
        )
        return policy.charge(for: usage, cost: 0)
    }

    static func waitForSettled(_ stack: LiveStack, policy: QuotaPolicy, until condition: (QuotaStore.Balance) -> Bool) async throws -> QuotaStore.Balance {
        let window = policy.period.window(containing: Date())
        let deadline = ContinuousClock.now + .seconds(10)
        while true {
            // A pooled connection that Redis closed (a restart) fails once before it is replaced.
            let balance = try? await stack.store.balance(stack.student, policy: policy, window: window).0
            if let balance, condition(balance) || ContinuousClock.now > deadline { return balance }
            if balance == nil && ContinuousClock.now > deadline { throw QuotaStoreError.unexpectedReply }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    @Test func aStudentWhoRanOutGetsABillingErrorThatClaudeCodeWillNotRetry() async throws {
        let policy = QuotaPolicy.testing(limit: 50_000)  // 50 weighted tokens: one request uses it up
        try await LiveStack.run(policy: policy) { stack in
            let (first, _) = try await Self.send(Requests.messagesRequest(stack))
            #expect(first.status == .ok)
            _ = try await Self.waitForSettled(stack, policy: policy) { $0.held == 0 && $0.used > 0 }
            let (refused, body) = try await Self.send(Requests.messagesRequest(stack))
            #expect(refused.status == .tooManyRequests)
            #expect(refused.headers.first(name: "x-should-retry") == "false")
            #expect(refused.headers.first(name: "anthropic-ratelimit-unified-status") == "rejected")
            #expect(refused.headers.first(name: "anthropic-ratelimit-unified-representative-claim") == nil)
            let retryAfter = try #require(refused.headers.first(name: "retry-after").flatMap(Int.init))
            #expect(retryAfter > 0 && retryAfter <= 7 * 86_400)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any])
            let error = try #require(json["error"] as? [String: Any])
            #expect(error["type"] as? String == "billing_error")
            let message = try #require(error["message"] as? String)
            #expect(message.hasPrefix("spend limit reached · resets "))
            #expect(message.contains("ask your course staff for a grant"))
            #expect(stack.mockRecorder.count == 1, "the refused request never left the edge")
            let records = try await stack.records { $0.contains { $0.status == 429 } }
            let refusal = try #require(records.first { $0.status == 429 })
            #expect(refusal.errorType == "billing_error" && refusal.charge == nil && refusal.upstreamRequestID == nil)
        }
    }

    @Test func aStudentWhoRanOutDrawsOnTheCourseReserveUpToTheirCap() async throws {
        var reserved = QuotaPolicy.testing(limit: 50_000)
        // A draw asks for a request's estimate (~20,000 weighted tokens): the cap of 1,000 gives less.
        reserved.reserve = CourseReserve(total: 10_000_000_000, capPerStudent: 1_000_000)
        let policy = reserved
        try await LiveStack.run(policy: policy) { stack in
            let (first, _) = try await Self.send(Requests.messagesRequest(stack))
            #expect(first.status == .ok)
            let spent = try await Self.waitForSettled(stack, policy: policy) { $0.held == 0 && $0.used > 0 }
            #expect(spent.remaining <= 0, "the first request used the whole allowance")
            let (rescued, _) = try await Self.send(Requests.messagesRequest(stack))
            #expect(rescued.status == .ok)
            let afterRescue = try await Self.waitForSettled(stack, policy: policy) { $0.held == 0 && $0.used > spent.used }
            #expect(afterRescue.total == policy.limit + 1_000_000)
            var refusal: HTTPClientResponse?
            for _ in 0..<40 where refusal == nil {  // the cap runs out after a few more requests
                let (answer, _) = try await Self.send(Requests.messagesRequest(stack))
                if answer.status == .tooManyRequests { refusal = answer }
                _ = try await Self.waitForSettled(stack, policy: policy) { $0.held == 0 }
            }
            #expect(refusal?.headers.first(name: "x-should-retry") == "false")
            let final = try await Self.waitForSettled(stack, policy: policy) { $0.held == 0 }
            #expect(final.total == policy.limit + 1_000_000, "the whole cap and no more was drawn")
            #expect(final.used >= final.total)
            let records = try await stack.records { $0.compactMap(\.reserveDraw).reduce(0) { $0 + $1.amount } == 1_000_000 }
            #expect(records.compactMap(\.reserveDraw).reduce(0) { $0 + $1.amount } == 1_000_000, "each draw on its request's record, for the ledger")
        }
    }

    /// Whether the lease of `requestID` was taken and then settled (the settled set remembers each lease for a day).
    static func leaseWasSettled(_ stack: LiveStack, _ requestID: String) async throws -> Bool {
        let reply = try await stack.directoryPool.withConnection { try await $0.command(["ZSCORE", QuotaKeys.settled(stack.student), requestID]) }
        return reply != .null
    }

    /// The hold goes to Redis while the body is read and checked: a body refused by those checks must give it back.
    @Test func aRequestRefusedForItsBodyGivesBackWhatItHeld() async throws {
        let policy = QuotaPolicy.testing(limit: 50_000_000)
        try await LiveStack.run(policy: policy) { stack in
            var broken = Requests.messagesRequest(stack)
            broken.body = .bytes(ByteBuffer(string: #"{"model":"claude-sonnet-4-6","max_tokens":1024,"messages":[{"role":"user","content":"hi"}"#))
            let (notJSON, _) = try await Self.send(broken)
            #expect(notJSON.status == .badRequest)
            let afterBroken = try await Self.waitForSettled(stack, policy: policy) { $0.held == 0 }
            #expect(afterBroken.held == 0 && afterBroken.used == 0)
            let brokenID = try #require(notJSON.headers.first(name: "request-id"))
            #expect(try await Self.leaseWasSettled(stack, brokenID), "a hold was taken while the body was checked, and given back")

            let leaking = LeakGuardTests.request(stack, saying: "ANTHROPIC_API_KEY=\(LeakGuardTests.anthropicKey())")
            let (refused, _, _) = try await LeakGuardTests.send(leaking)
            #expect(refused == 403)
            let afterLeak = try await Self.waitForSettled(stack, policy: policy) { $0.held == 0 }
            #expect(afterLeak.held == 0 && afterLeak.used == 0)
            #expect(stack.mockRecorder.count == 0, "neither request left the edge")
        }
    }

    /// The body's faults are told before the allowance: a student who has run out and sends a broken body hears
    /// about the body.
    @Test func aBrokenBodyIsRefusedForItselfEvenWhenNothingIsLeft() async throws {
        try await LiveStack.run(policy: QuotaPolicy.testing(limit: 0)) { stack in
            var broken = Requests.messagesRequest(stack)
            broken.body = .bytes(ByteBuffer(string: "not json"))
            let (notJSON, _) = try await Self.send(broken)
            #expect(notJSON.status == .badRequest)
            let (wellFormed, _) = try await Self.send(Requests.messagesRequest(stack))
            #expect(wellFormed.status == .tooManyRequests)
        }
    }

    @Test func countTokensIsNeverRefusedForQuota() async throws {
        let policy = QuotaPolicy.testing(limit: 0)
        try await LiveStack.run(policy: policy) { stack in
            var request = Requests.messagesRequest(stack)
            request.url = stack.edgeURL + "/v1/messages/count_tokens"
            let (response, _) = try await Self.send(request)
            #expect(response.status == .ok)
        }
    }

    @Test func answersCarryTheStandingAndWarnPastThreeQuarters() async throws {
        let policy = QuotaPolicy.testing(limit: 10_000_000)
        try await LiveStack.run(policy: policy) { stack in
            let (fresh, _) = try await Self.send(Requests.messagesRequest(stack))
            #expect(fresh.headers.first(name: "anthropic-ratelimit-unified-status") == "allowed")
            #expect(fresh.headers.first(name: "anthropic-ratelimit-unified-overage-surpassed-threshold") == nil)
            #expect(fresh.headers.first(name: "x-goosey-limit") == "10000")
            #expect(fresh.headers.first(name: "x-goosey-reset").map { $0.hasSuffix("Z") } == true)
            let window = policy.period.window(containing: Date())
            _ = try await stack.store.settle(stack.student, policy: policy, window: window, leaseID: "big", charge: 8_000_000)
            _ = try await Self.waitForSettled(stack, policy: policy) { $0.held == 0 }
            let (warned, _) = try await Self.send(Requests.messagesRequest(stack))
            #expect(warned.headers.first(name: "anthropic-ratelimit-unified-status") == "allowed_warning")
            #expect(warned.headers.first(name: "anthropic-ratelimit-unified-overage-surpassed-threshold") == "0.75")
            #expect(warned.headers.first(name: "anthropic-ratelimit-unified-representative-claim") == "overage")
            let utilization = try #require(warned.headers.first(name: "anthropic-ratelimit-unified-overage-utilization").flatMap(Double.init))
            #expect(utilization >= 0.8 && utilization < 0.95)
        }
    }

    @Test func settledChargesEqualWhatTheUpstreamReported() async throws {
        let policy = QuotaPolicy.testing(limit: 1_000_000_000)
        try await LiveStack.run(policy: policy, edges: 2) { stack in
            var expected: Int64 = 0
            for index in 0..<6 {
                let (response, _) = try await Self.send(Requests.messagesRequest(stack, edge: index % 2, scenario: index % 3 == 0 ? "thinking" : "text"))
                expected += try Self.charge(stack, try #require(response.headers.first(name: "request-id")), policy: policy)
            }
            let balance = try await Self.waitForSettled(stack, policy: policy) { $0.used == expected && $0.held == 0 }
            #expect(balance.used == expected)
            #expect(balance.held == 0)
        }
    }

    /// 64 parallel requests through two edges from a student with little left: the overspend never exceeds
    /// what the admitted requests cost beyond their holds, and every settled token counts once.
    @Test func parallelRequestsThroughTwoEdgesOverspendOnlyByWhatWasInFlight() async throws {
        let policy = QuotaPolicy.testing(limit: 400_000)
        try await LiveStack.run(policy: policy, edges: 2) { stack in
            let statuses = try await withThrowingTaskGroup(of: (UInt, String?).self) { group in
                for index in 0..<64 {
                    group.addTask {
                        let (response, _) = try await Self.send(Requests.messagesRequest(stack, edge: index % 2))
                        return (response.status.code, response.headers.first(name: "request-id"))
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let admitted = statuses.filter { $0.0 == 200 }.compactMap(\.1)
            let codes = Set(statuses.map(\.0))
            #expect(codes.isSubset(of: [200, 429]), "\(codes)")
            #expect(!admitted.isEmpty && admitted.count < 64)
            let charged = try admitted.map { try Self.charge(stack, $0, policy: policy) }.reduce(0, +)
            let balance = try await Self.waitForSettled(stack, policy: policy) { $0.used == charged && $0.held == 0 }
            #expect(balance.used == charged)
            #expect(balance.held == 0)
            // Each admitted request held at most its estimate; the most any could exceed it by is its own cost.
            let largest = try admitted.map { try Self.charge(stack, $0, policy: policy) }.max() ?? 0
            #expect(balance.used - policy.limit <= largest * Int64(admitted.count))
        }
    }

    @Test func aSuspensionReachesEveryEdgeWithinASecond() async throws {
        try await LiveStack.run(edges: 2) { stack in
            for edge in 0..<2 {  // both edges have the key cached now
                let (response, _) = try await Self.send(Requests.messagesRequest(stack, edge: edge))
                #expect(response.status == .ok)
            }
            let hash = VirtualKey(parsing: stack.studentKey)!.sha256Hex
            try await stack.directory.setKeyState(sha256Hex: hash, .suspended)
            let suspendedAt = ContinuousClock.now
            for edge in 0..<2 {
                while try await Self.send(Requests.messagesRequest(stack, edge: edge)).0.status != .forbidden {
                    #expect(suspendedAt.duration(to: .now) < .seconds(1), "edge \(edge) still serves a suspended key")
                    if suspendedAt.duration(to: .now) > .seconds(2) { return }
                    try await Task.sleep(for: .milliseconds(10))
                }
            }
            #expect(suspendedAt.duration(to: .now) < .seconds(1))
            let (revoked, body) = try await Self.send(Requests.messagesRequest(stack))
            #expect(revoked.status == .forbidden)
            #expect(String(buffer: body).contains("suspended"))
        }
    }

    @Test func unknownKeysGet401AndWellFormedStrangersToo() async throws {
        try await LiveStack.run { stack in
            let stranger = VirtualKey.generate().secretText
            let (unknown, _) = try await Self.send(Requests.messagesRequest(stack, key: stranger))
            #expect(unknown.status == .unauthorized)
            let (malformed, _) = try await Self.send(Requests.messagesRequest(stack, key: "goosey_short"))
            #expect(malformed.status == .unauthorized)
        }
    }

    @Test func meTellsASuspendedStudentWhatItTellsThemEverywhereElse() async throws {
        try await LiveStack.run { stack in
            let key = try await stack.issueKey(for: "suspended-one", state: .suspended)
            var me = HTTPClientRequest(url: stack.edgeURL + "/v1/goosey/me")
            me.headers.add(name: "x-api-key", value: key.secretText)
            let (answer, body) = try await Self.send(me)
            #expect(answer.status == .forbidden)
            #expect(String(buffer: body).contains(#""type":"permission_error""#))
        }
    }

    @Test func meReportsTheBalanceAndThisPeriodsTokens() async throws {
        let policy = QuotaPolicy.testing(limit: 1_000_000_000)
        try await LiveStack.run(policy: policy) { stack in
            let (response, _) = try await Self.send(Requests.messagesRequest(stack))
            let charged = try Self.charge(stack, try #require(response.headers.first(name: "request-id")), policy: policy)
            _ = try await Self.waitForSettled(stack, policy: policy) { $0.used == charged }
            var me = HTTPClientRequest(url: stack.edgeURL + "/v1/goosey/me")
            me.headers.add(name: "authorization", value: "Bearer \(stack.studentKey)")
            let (answer, body) = try await Self.send(me)
            #expect(answer.status == .ok)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any])
            #expect(json["limit"] as? String == "1000000")
            #expect(json["used"] as? String == String(charged / 1000))
            #expect(json["student"] as? String == stack.student.student)
            let usage = try #require(json["usage"] as? [String: Any])
            #expect((usage["output"] as? Int ?? 0) > 0)
        }
    }
}

@Suite(.timeLimit(.minutes(2))) struct LeaseRenewalTests {
    @Test func aStreamThatOutlivesItsLeaseRenewsIt() async throws {
        try await LiveStack.run(edgeSettings: ["quota.leaseSeconds": 3]) { stack in
            let slow = StreamingPassthroughTests.messagesRequest(stack, extraHeaders: [("x-mock-deltas", "60"), ("x-mock-delay-ms", "40")])
            let response = try await HTTPClient.shared.execute(slow, timeout: .seconds(30))
            var deadlines: [Double] = []
            for try await _ in response.body {
                let reply = try await stack.directoryPool.withConnection {
                    try await $0.command(["ZRANGE", QuotaKeys.deadlines(stack.student), "0", "-1", "WITHSCORES"])
                }
                if let score = reply.array?.last?.string.flatMap(Double.init), deadlines.last != score { deadlines.append(score) }
            }
            #expect(deadlines.count >= 2, "the lease's deadline moved on while the stream ran: \(deadlines)")
            #expect(deadlines == deadlines.sorted())
        }
    }
}

@Suite struct QuotaGatePiecesTests {
    @Test func whileEverythingIsHeldTheStudentIsToldToRetryNotToStop() async throws {
        let policy = QuotaPolicy.testing(limit: 1_000_000)
        try await LiveStack.run(policy: policy) { stack in
            let window = policy.period.window(containing: Date())
            _ = try await stack.store.reserve(stack.student, policy: policy, window: window, leaseID: "elsewhere", estimate: 1_000_000, deadline: Date())
            let (response, body) = try await QuotaEnforcementTests.send(StreamingPassthroughTests.messagesRequest(stack))
            #expect(response.status.code == 429)
            #expect(response.headers.first(name: "x-should-retry") == "true")
            #expect(response.headers.first(name: "retry-after") == "2")
            #expect(String(buffer: body).contains("rate_limit_error"))
        }
    }

    /// A student further over than the reserve's cap gives them is still refused after drawing it: the draw stands
    /// in Redis, so the refusal's record carries it to the ledger.
    @Test func aDrawThatStillLeavesTheStudentRefusedIsOnTheRefusalsRecord() async throws {
        var reserved = QuotaPolicy.testing(limit: 50_000)
        reserved.reserve = CourseReserve(total: 10_000_000, capPerStudent: 1_000)
        let policy = reserved
        try await LiveStack.run(policy: policy) { stack in
            let window = policy.period.window(containing: Date())
            _ = try await stack.store.settle(stack.student, policy: policy, window: window, leaseID: "overspent", charge: 500_000)
            let (response, _) = try await QuotaEnforcementTests.send(StreamingPassthroughTests.messagesRequest(stack))
            #expect(response.status.code == 429)
            let records = try await stack.records { $0.contains { $0.status == 429 } }
            #expect(records.first { $0.status == 429 }?.reserveDraw == ReserveDraw(amount: 1_000, periodIndex: window.index))
        }
    }

    @Test func theEmergencyAllowanceCountsRequestsAsTheyAreAdmitted() {
        let allowance = EmergencyAllowance()
        let student = StudentRef(course: "c", student: "s")
        let window = PeriodWindow(index: 1, start: Date(), end: Date())
        #expect(allowance.admit(student, window: window, cap: 100, estimate: 60))
        #expect(allowance.admit(student, window: window, cap: 100, estimate: 60))
        #expect(!allowance.admit(student, window: window, cap: 100, estimate: 1), "two in flight already passed the cap")
        allowance.settle(student, window: window, estimate: 60, charge: 10)
        allowance.settle(student, window: window, estimate: 60, charge: 10)
        #expect(allowance.admit(student, window: window, cap: 100, estimate: 1))
        #expect(allowance.admit(student, window: PeriodWindow(index: 2, start: Date(), end: Date()), cap: 100, estimate: 99))
    }

    @Test func anEmergencyAdmissionSettledAfterItsPeriodLeavesTheNewPeriodsCountAlone() {
        let allowance = EmergencyAllowance()
        let student = StudentRef(course: "c", student: "s")
        let (old, new) = (PeriodWindow(index: 1, start: Date(), end: Date()), PeriodWindow(index: 2, start: Date(), end: Date()))
        #expect(allowance.admit(student, window: old, cap: 100, estimate: 60))
        #expect(allowance.admit(student, window: new, cap: 100, estimate: 100))
        allowance.settle(student, window: old, estimate: 60, charge: 60)
        #expect(!allowance.admit(student, window: new, cap: 100, estimate: 1), "the new period's 100 are still spent")
    }

    @Test func anAnswerReadBeforeAnInvalidationIsNotCached() {
        let cache = DirectoryCache()
        let record = KeyRecord(student: StudentRef(course: "c", student: "s"), state: .active, keyID: "k")
        let before = cache.generation
        cache.apply(.key(sha256Hex: "h"))  // the key was suspended while Redis was being read
        cache.remember(.known(record), for: "h", readAt: before)
        #expect(cache.key("h") == nil)
        cache.remember(.known(record), for: "h", readAt: cache.generation)
        #expect(cache.key("h") == .known(record))
    }
}
