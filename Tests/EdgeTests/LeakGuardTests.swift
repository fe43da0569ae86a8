import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Shared
import Testing

@testable import Edge
@testable import MockUpstream

/// Secrets in requests through live edges, the mock upstream and a real Redis (issue 5).
@Suite(.timeLimit(.minutes(2))) struct LeakGuardTests {
    typealias Requests = StreamingPassthroughTests

    static func request(_ stack: LiveStack, edge: Int = 0, key: String? = nil, saying text: String) -> HTTPClientRequest {
        var request = Requests.messagesRequest(stack, edge: edge, key: key)
        let escaped = text.replacingOccurrences(of: "\n", with: #"\n"#)
        request.body = .bytes(ByteBuffer(string:
            #"{"model":"claude-sonnet-4-6","max_tokens":1024,"stream":true,"messages":[{"role":"user","content":"run it"},"#
            + #"{"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"Bash","input":{"command":"cat .env"}}]},"#
            + #"{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"\#(escaped)"}]}]}"#))
        return request
    }

    static func send(_ request: HTTPClientRequest) async throws -> (status: Int, body: String, response: HTTPClientResponse) {
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), String(buffer: body), response)
    }

    /// A made-up Anthropic key of the real shape.
    static func anthropicKey() -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
        return "sk-ant-api03-" + String((0..<93).map { _ in alphabet.randomElement()! }) + "AA"
    }

    /// Everything the edges spooled, as raw text: no secret may be in it.
    static func spooled(_ stack: LiveStack) -> String {
        let files = FileManager.default.subpaths(atPath: stack.spoolRoot) ?? []
        return files.compactMap { FileManager.default.contents(atPath: stack.spoolRoot + "/" + $0) }.map { String(decoding: $0, as: UTF8.self) }.joined()
    }

    static func waitUntil(_ what: String, within limit: Duration = .seconds(5), _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + limit
        while try await !condition() {
            guard ContinuousClock.now < deadline else {
                Issue.record("timed out waiting until \(what)")
                return
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    @Test func theStudentsOwnKeyIsRefusedSuspendedEverywhereAndNeverStored() async throws {
        try await LiveStack.run(edges: 2) { stack in
            let key = try #require(VirtualKey(parsing: stack.studentKey))
            let (status, body, response) = try await Self.send(Self.request(stack, saying: "GOOSEY_KEY=\(stack.studentKey)\n"))
            #expect(status == 403)
            #expect(response.headers.first(name: "x-should-retry") == "false")
            #expect(body.contains("permission_error") && body.contains("goosey-key") && body.contains(key.keyID))
            #expect(body.contains("messages[2].content[0].content"), "says where")
            #expect(!body.contains(stack.studentKey))
            #expect(stack.mockRecorder.count == 0, "never forwarded")

            let started = ContinuousClock.now
            for edge in 0..<2 {
                try await Self.waitUntil("edge \(edge) refuses the suspended key") {
                    let (status, body, _) = try await Self.send(Requests.messagesRequest(stack, edge: edge))
                    return status == 403 && body.contains("suspended")
                }
            }
            #expect(started.duration(to: .now) < .seconds(1))
            #expect(try await stack.directory.key(sha256Hex: key.sha256Hex)?.state == .suspended)

            let records = try await stack.records { $0.contains { $0.leaks != nil } }
            let note = try #require(records.first { $0.leaks != nil }?.leaks?.first)
            #expect(note.kind == "goosey-key" && note.action == .blocked && note.isNew)
            #expect(note.suspendedKeys == [key.sha256Hex] && note.owner == stack.student)
            #expect(records.first { $0.leaks != nil }?.status == 403)
            #expect(!Self.spooled(stack).contains(stack.studentKey))
            #expect(Self.spooled(stack).contains("[REDACTED:goosey-key:\(key.keyID)]"))

            // The attempts after the suspension are logged against the student too.
            let isRefusedForState: (RequestRecord) -> Bool = { $0.status == 403 && $0.leaks == nil }
            let refusals = try await stack.records { $0.filter(isRefusedForState).count >= 2 }.filter(isRefusedForState)
            #expect(refusals.count >= 2)
            #expect(refusals.allSatisfy {
                $0.keyID == key.keyID && $0.course == stack.student.course && $0.student == stack.student.student
                    && $0.errorType == "permission_error" && $0.charge == nil
            })
        }
    }

    @Test func anotherStudentsLeakedKeyIsSuspendedWithTheSenders() async throws {
        try await LiveStack.run { stack in
            let other = try await stack.issueKey(for: "s2")
            let (status, _, _) = try await Self.send(Self.request(stack, saying: "borrowed \(other.secretText)"))
            #expect(status == 403)
            #expect(try await stack.directory.key(sha256Hex: other.sha256Hex)?.state == .suspended)
            let sender = try #require(VirtualKey(parsing: stack.studentKey))
            #expect(try await stack.directory.key(sha256Hex: sender.sha256Hex)?.state == .suspended)
        }
    }

    @Test func anAnthropicKeyRaisesOneIncidentAndTheConversationGoesOnAfterReinstatement() async throws {
        try await LiveStack.run { stack in
            let secret = Self.anthropicKey()
            let leaking = Self.request(stack, saying: "ANTHROPIC_API_KEY=\(secret)\nDEBUG=1\n")
            let (refused, message, _) = try await Self.send(leaking)
            #expect(refused == 403 && message.contains("anthropic-api-key") && !message.contains(secret))
            let sender = try #require(VirtualKey(parsing: stack.studentKey))
            try await stack.directory.setKeyState(sha256Hex: sender.sha256Hex, .active)
            try await Self.waitUntil("the reinstated key is served again") {
                try await Self.send(Self.request(stack, saying: "ANTHROPIC_API_KEY=\(secret)\n")).status == 200
            }
            #expect(stack.mockRecorder.count >= 1)
            let records = try await stack.records { $0.filter { $0.leaks != nil }.count >= 2 }
            let notes = records.compactMap(\.leaks).flatMap { $0 }
            #expect(notes.filter(\.isNew).count == 1, "one incident for the whole conversation")
            #expect(notes.contains { $0.action == .forwarded && !$0.isNew })
            #expect(!Self.spooled(stack).contains(secret))
        }
    }

    @Test func aRevokedKeyInTheConversationIsForwardedWithoutAnIncident() async throws {
        try await LiveStack.run { stack in
            let revoked = try await stack.issueKey(for: "s3", state: .revoked)
            let (status, _, _) = try await Self.send(Self.request(stack, saying: "old key \(revoked.secretText)"))
            #expect(status == 200)
            let records = try await stack.records { $0.contains { $0.leaks != nil } }
            let note = try #require(records.compactMap(\.leaks).first?.first)
            #expect(note.action == .forwarded && !note.isNew)
            #expect(!Self.spooled(stack).contains(revoked.secretText))
        }
    }

    @Test func otherCredentialsGoThroughAndAlertUnlessTheCourseBlocksThem() async throws {
        let token = "ghp_" + String((0..<36).map { _ in Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789").randomElement()! })
        try await LiveStack.run { stack in
            let (status, _, _) = try await Self.send(Self.request(stack, saying: "GITHUB_TOKEN=\(token)"))
            #expect(status == 200)
            let records = try await stack.records { $0.contains { $0.leaks != nil } }
            let note = try #require(records.compactMap(\.leaks).first?.first)
            #expect(note.kind == "github-token" && note.action == .forwarded && note.isNew && note.suspendedKeys.isEmpty)
            #expect(!Self.spooled(stack).contains(token))
        }
        var blocking = QuotaPolicy.testing(limit: 100_000_000_000)
        blocking.leaks = LeakPolicy(otherCredentials: .block)
        try await LiveStack.run(policy: blocking) { stack in
            let (status, body, _) = try await Self.send(Self.request(stack, saying: "GITHUB_TOKEN=\(token)"))
            #expect(status == 403 && body.contains("github-token"))
            #expect(stack.mockRecorder.count == 0)
        }
    }
}
