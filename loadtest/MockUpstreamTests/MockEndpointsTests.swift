import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Synchronization
import Testing

@testable import MockUpstream

@Suite struct MockEndpointsTests {
    @Test func modelsListHasTheSection5Shape() async throws {
        let object = try await MockTest.app().test(.router) { client in
            let response = try await client.execute(
                uri: "/v1/models?limit=1000",
                method: .get,
                headers: MockTest.headers()
            )
            #expect(response.status == .ok)
            return try MockTest.object(response.body)
        }
        let data = try #require(object["data"] as? [[String: Any]])
        #expect(data.count >= 3)
        #expect(
            data.allSatisfy { $0["type"] as? String == "model" && ($0["id"] as? String)?.hasPrefix("claude-") == true }
        )
        #expect(data.allSatisfy { $0["display_name"] is String && $0["created_at"] is String })
        #expect(object["has_more"] as? Bool == false)
        #expect(object["first_id"] as? String == data.first?["id"] as? String)
        #expect(object["last_id"] as? String == data.last?["id"] as? String)
    }

    @Test func singleModelAndUnknownModel() async throws {
        try await MockTest.app().test(.router) { client in
            let known = try await client.execute(
                uri: "/v1/models/claude-sonnet-4-6",
                method: .get,
                headers: MockTest.headers()
            )
            #expect(try MockTest.object(known.body)["id"] as? String == "claude-sonnet-4-6")
            let unknown = try await client.execute(uri: "/v1/models/gpt-4", method: .get, headers: MockTest.headers())
            #expect(unknown.status == .notFound)
        }
    }

    @Test func modelsRequireAuthentication() async throws {
        let status = try await MockTest.app().test(.router) { client in
            try await client.execute(uri: "/v1/models", method: .get).status
        }
        #expect(status == .unauthorized)
    }

    @Test func helloAnswersHeadWithoutCredentials() async throws {
        let response = try await MockTest.app().test(.router) { client in
            try await client.execute(uri: "/api/hello", method: .head)
        }
        #expect(response.status == .ok)
        #expect(response.requestID != nil)
    }

    @Test func countTokensRequiresModelButNotMaxTokens() async throws {
        try await MockTest.app().test(.router) { client in
            let ok = try await client.execute(
                uri: "/v1/messages/count_tokens?beta=true",
                method: .post,
                headers: MockTest.headers(),
                body: ByteBuffer(string: "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
            )
            #expect(ok.status == .ok)
            let bad = try await client.execute(
                uri: "/v1/messages/count_tokens",
                method: .post,
                headers: MockTest.headers(),
                body: ByteBuffer(string: "{\"messages\":[]}")
            )
            #expect(bad.status == .badRequest)
        }
    }

    @Test func everyResponseHasAUniqueRequestID() async throws {
        let ids = try await MockTest.app().test(.router) { client in
            var ids: [String] = []
            for _ in 0..<20 {
                let response = try await client.execute(
                    uri: "/v1/messages",
                    method: .post,
                    headers: MockTest.headers(),
                    body: MockTest.body(stream: false)
                )
                ids.append(try #require(response.requestID))
            }
            return ids
        }
        #expect(Set(ids).count == 20)
        #expect(ids.allSatisfy { $0.hasPrefix("req_") && $0.count == 28 })
    }

    @Test func onServerRunningReportsTheBoundPort() async throws {
        let reported = Mutex<Int?>(nil)
        let app = buildMockApplication(
            MockConfiguration(port: 0, apiKey: MockTest.apiKey),
            logger: MockTest.logger,
            onServerRunning: { channel in reported.withLock { $0 = channel.localAddress?.port } }
        )
        let port = try await app.test(.live) { client in client.port }
        #expect(port != nil)
        #expect(reported.withLock { $0 } == port)
    }
}
