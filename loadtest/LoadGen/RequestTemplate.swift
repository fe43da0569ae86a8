import Foundation
import NIOCore
import NIOHTTP1

/// The request every client sends: one head and one body buffer, shared (never copied) by all sends.
struct RequestTemplate: Sendable {
    var head: HTTPRequestHead
    var body: ByteBuffer

    /// Headers a Claude Code request carries besides the credential; `--header` overrides any of them.
    static let claudeCodeHeaders: KeyValuePairs<String, String> = [
        "accept": "application/json",
        "content-type": "application/json",
        "anthropic-version": "2023-06-01",
        "anthropic-beta": "claude-code-20250219,interleaved-thinking-2025-05-14,fine-grained-tool-streaming-2025-05-14",
        "user-agent": "claude-cli/2.0.0 (external, cli)",
        "x-app": "cli",
        "x-stainless-lang": "js",
        "x-stainless-retry-count": "0",
        "x-stainless-timeout": "600",
        "x-claude-code-session-id": "7f3b2a64-9c1e-4d7a-8b25-3e0f6c9d1a42",
    ]

    /// - Throws: ``LoadPlan/Invalid`` for a `--header` without a colon.
    init(target: TargetURL, extraHeaders: [String], body: ByteBuffer) throws {
        var headers = HTTPHeaders()
        headers.add(name: "host", value: target.authority)
        for (name, value) in Self.claudeCodeHeaders { headers.add(name: name, value: value) }
        for line in extraHeaders {
            guard let colon = line.firstIndex(of: ":") else {
                throw LoadPlan.Invalid(description: "--header must look like 'name: value', got '\(line)'")
            }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            headers.replaceOrAdd(name: name, value: value)
        }
        headers.replaceOrAdd(name: "content-length", value: String(body.readableBytes))
        self.head = HTTPRequestHead(version: .http1_1, method: .POST, uri: target.pathAndQuery, headers: headers)
        self.body = body
    }
}
