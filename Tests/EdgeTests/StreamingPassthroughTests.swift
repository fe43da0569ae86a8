import Configuration
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Shared
import Testing

@testable import Edge
@testable import MockUpstream

@Suite(.timeLimit(.minutes(2))) struct StreamingPassthroughTests {
    static func messagesRequest(
        _ stack: LiveStack,
        edge: Int = 0,
        key: String? = nil,
        scenario: String = "text",
        extraHeaders: [(String, String)] = []
    ) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: stack.edgeURLs[edge] + "/v1/messages?beta=true")
        request.method = .POST
        request.headers.add(name: "x-api-key", value: key ?? stack.studentKey)
        request.headers.add(name: "anthropic-version", value: "2023-06-01")
        request.headers.add(name: "content-type", value: "application/json")
        request.headers.add(name: "x-mock-scenario", value: scenario)
        for (name, value) in extraHeaders { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(string: #"{"model":"claude-sonnet-4-6","max_tokens":1024,"stream":true,"messages":[{"role":"user","content":"hello there"}]}"#))
        return request
    }

    @Test func streamArrivesByteForByteAndUsageIsRead() async throws {
        try await LiveStack.run { stack in
            let response = try await HTTPClient.shared.execute(Self.messagesRequest(stack, scenario: "tool_use"), timeout: .seconds(30))
            #expect(response.status == .ok)
            let body = try await response.body.collect(upTo: 1 << 20)
            let requestID = try #require(response.headers.first(name: "request-id"))
            let mock = try #require(stack.mockRecorder.record(id: requestID))
            #expect(MockSHA256.hex(body) == mock.responseSHA256)
            let record = try #require(try await stack.records().first)
            #expect(record.upstreamRequestID == requestID)
            #expect(record.usage.inputTokens == Int64(mock.usage.inputTokens))
            #expect(record.usage.outputTokens == Int64(mock.usage.outputTokens))
            #expect(record.stopReason == "tool_use")
            #expect(!record.estimated && !record.clientAborted)
            #expect(record.costPicoUSD == PricingTable.standard.cost(of: UsageReport(model: "claude-sonnet-4-6", usage: record.usage)))
        }
    }

    @Test func clientHangUpCancelsTheUpstreamAndCountsTheFloorEstimate() async throws {
        try await LiveStack.run { stack in
            let slow = Self.messagesRequest(stack, extraHeaders: [("x-mock-deltas", "400"), ("x-mock-delay-ms", "20")])
            let reader = Task {
                let response = try await HTTPClient.shared.execute(slow, timeout: .seconds(30))
                var received = 0
                for try await chunk in response.body {
                    received += chunk.readableBytes
                    if received > 2_000 { break }  // hang up after a few events, like Esc in Claude Code
                }
                return response.headers.first(name: "request-id")
            }
            let requestID = try #require(try await reader.value)
            let records = try await stack.records { !$0.isEmpty }
            let record = try #require(records.first)
            #expect(record.clientAborted)
            #expect(record.estimated)
            #expect(record.usage.outputTokens >= 1)
            // The upstream saw the edge go away long before its 8-second stream would have ended.
            let mock = try await Self.waitForMockRecord(stack, requestID) { $0.clientDisconnected || $0.complete }
            #expect(mock.clientDisconnected)
            #expect(!mock.complete)
            #expect(record.usage.inputTokens == Int64(mock.usage.inputTokens))
        }
    }

    /// A client that leaves before the answer begins (Esc while the upstream thinks, or a script that gives up)
    /// cancels the upstream request there and then, not when the head's patience runs out.
    @Test func aClientThatLeavesBeforeTheAnswerBeginsCancelsItAtOnce() async throws {
        try await LiveStack.run(edgeSettings: ["upstream.headTimeoutSeconds": 600]) { stack in
            let waiting = Self.messagesRequest(stack, scenario: "hang")
            await #expect(throws: (any Error).self) {
                _ = try await HTTPClient.shared.execute(waiting, deadline: .now() + .milliseconds(300))
            }
            let records = try await stack.records(timeout: .seconds(5)) { $0.contains { $0.status == 499 } }
            let record = try #require(records.first { $0.status == 499 })
            #expect(record.clientAborted && record.errorType == "client_closed_request")
            #expect(record.charge != nil && record.charge! > 0, "what the upstream spent is unknown: the hold")
        }
    }

    @Test func answeredRequestsReuseOneUpstreamConnection() async throws {
        try await LiveStack.run { stack in
            var ports: [Int?] = []
            for _ in 0..<3 {
                let response = try await HTTPClient.shared.execute(Self.messagesRequest(stack), timeout: .seconds(30))
                _ = try await response.body.collect(upTo: 1 << 20)
                let requestID = try #require(response.headers.first(name: "request-id"))
                ports.append(try await Self.waitForMockRecord(stack, requestID) { $0.complete }.clientPort)
            }
            #expect(ports[0] != nil)
            #expect(Set(ports).count == 1, "one connection for all three: \(ports)")
        }
    }

    /// The mock's record of `requestID` once `condition` holds for it (at most 10 s).
    static func waitForMockRecord(
        _ stack: LiveStack,
        _ requestID: String,
        until condition: (MockRecord) -> Bool
    ) async throws -> MockRecord {
        let deadline = ContinuousClock.now + .seconds(10)
        while true {
            let record = stack.mockRecorder.record(id: requestID)
            if let record, condition(record) { return record }
            guard ContinuousClock.now < deadline else { return try #require(record) }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// A non-streaming answer sends nothing until it is whole: it may take longer to begin than a stream may stay
    /// silent (`upstream.headTimeoutSeconds` against `upstream.idleTimeoutSeconds`).
    @Test func aNonStreamingAnswerMayTakeLongerToBeginThanAStreamMayStaySilent() async throws {
        let settings: [String: ConfigValue] = ["upstream.idleTimeoutSeconds": 1, "upstream.headTimeoutSeconds": 30]
        try await LiveStack.run(edgeSettings: settings) { stack in
            var request = Self.messagesRequest(stack, extraHeaders: [("x-mock-deltas", "6"), ("x-mock-delay-ms", "400")])
            request.body = .bytes(ByteBuffer(string: #"{"model":"claude-sonnet-4-6","max_tokens":1024,"messages":[{"role":"user","content":"hello there"}]}"#))
            let started = ContinuousClock.now
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
            let body = try await response.body.collect(upTo: 1 << 20)
            #expect(response.status == .ok, "\(String(buffer: body))")
            #expect(ContinuousClock.now - started > .seconds(1), "the answer took longer than the idle patience")
            #expect(String(buffer: body).contains(#""type":"message""#))
        }
    }

    @Test func unreachableUpstreamGetsA502ApiError() async throws {
        try await LiveStack.run(edgeSettings: ["upstream.url": "http://127.0.0.1:1", "upstream.connectTimeoutSeconds": 1]) { stack in
            let response = try await HTTPClient.shared.execute(Self.messagesRequest(stack), timeout: .seconds(30))
            #expect(response.status == .badGateway)
            let body = try await response.body.collect(upTo: 1 << 16)
            let json = try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any]
            #expect((json?["error"] as? [String: Any])?["type"] as? String == "api_error")
            #expect(json?["request_id"] as? String == response.headers.first(name: "request-id"))
        }
    }
}
