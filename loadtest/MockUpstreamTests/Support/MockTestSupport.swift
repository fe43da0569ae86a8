import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing

@testable import MockUpstream

/// Shared fixtures: the app under test, request headers and bodies.
enum MockTest {
    static let apiKey = "sk-ant-api03-test-key"

    static var logger: Logger {
        var logger = Logger(label: "mock-upstream-tests")
        logger.logLevel = .warning
        return logger
    }

    static func app(deltas: Int = 8, delayMs: Int = 0) -> some ApplicationProtocol {
        buildMockApplication(
            MockConfiguration(host: "127.0.0.1", port: 0, apiKey: Self.apiKey, deltas: deltas, delayMs: delayMs),
            logger: Self.logger
        )
    }

    /// Valid credential + version headers, plus `extra`.
    static func headers(_ extra: [String: String] = [:]) -> HTTPFields {
        var fields: HTTPFields = [
            HTTPField.Name("x-api-key")!: Self.apiKey,
            HTTPField.Name("anthropic-version")!: "2023-06-01",
            .contentType: "application/json",
        ]
        for (name, value) in extra {
            fields[HTTPField.Name(name)!] = value
        }
        return fields
    }

    /// A Messages body with one user message saying `text`.
    static func body(_ text: String = "Hello", stream: Bool = true, model: String = "claude-sonnet-4-6") -> ByteBuffer {
        Self.json([
            "model": model,
            "max_tokens": 1024,
            "stream": stream,
            "messages": [["role": "user", "content": text]],
        ])
    }

    static func json(_ object: Any) -> ByteBuffer {
        ByteBuffer(bytes: try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
    }

    static func object(_ buffer: ByteBuffer) throws -> [String: Any] {
        let value = try JSONSerialization.jsonObject(with: Data(buffer.readableBytesView))
        return try #require(value as? [String: Any])
    }

    static func string(_ buffer: ByteBuffer) -> String {
        String(buffer: buffer)
    }

    /// Fetches the mock's record of `requestID`.
    static func record(_ requestID: String, client: some TestClientProtocol) async throws -> MockRecord {
        let response = try await client.execute(uri: "/mock/requests/\(requestID)", method: .get)
        #expect(response.status == .ok)
        return try JSONDecoder().decode(MockRecord.self, from: Data(response.body.readableBytesView))
    }
}

extension TestResponse {
    var requestID: String? { self.headers[HTTPField.Name("request-id")!] }
}
