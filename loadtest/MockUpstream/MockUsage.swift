import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Token usage the mock reports for one request: deterministic from the request bytes.
///
/// Total input = max(1, body bytes / 4). A body containing `cache_control` is split 60 % cache read,
/// 30 % cache write (1-hour bucket when the body asks `"ttl":"1h"`, else 5-minute) and the rest
/// uncached input; otherwise everything is uncached input. Encodes as the record's `usage` object.
public struct MockUsage: Codable, Sendable, Equatable {
    public var inputTokens: Int
    public var cacheCreationInputTokens: Int
    public var cacheReadInputTokens: Int
    public var cacheCreation: CacheCreation
    public var outputTokens: Int
    public var serverToolUse: ServerToolUse?
    /// Thinking tokens included in `outputTokens` (reported as `output_tokens_details`).
    public var thinkingTokens: Int = 0

    public struct CacheCreation: Codable, Sendable, Equatable {
        public var ephemeral5mInputTokens: Int
        public var ephemeral1hInputTokens: Int

        enum CodingKeys: String, CodingKey {
            case ephemeral5mInputTokens = "ephemeral_5m_input_tokens"
            case ephemeral1hInputTokens = "ephemeral_1h_input_tokens"
        }
    }

    public struct ServerToolUse: Codable, Sendable, Equatable {
        public var webSearchRequests: Int

        enum CodingKeys: String, CodingKey { case webSearchRequests = "web_search_requests" }
    }

    enum CodingKeys: String, CodingKey {
        case inputTokens = "input_tokens"
        case cacheCreationInputTokens = "cache_creation_input_tokens"
        case cacheReadInputTokens = "cache_read_input_tokens"
        case cacheCreation = "cache_creation"
        case outputTokens = "output_tokens"
        case serverToolUse = "server_tool_use"
    }

    /// `input_tokens + cache_creation_input_tokens + cache_read_input_tokens` (anthropic-wire.md §0.7).
    public var totalInputTokens: Int {
        self.inputTokens + self.cacheCreationInputTokens + self.cacheReadInputTokens
    }

    // MARK: - Byte search

    private static let cacheControl = Array("cache_control".utf8)
    private static let ttl1h = Array("\"ttl\":\"1h\"".utf8)
    private static let ttl1hSpaced = Array("\"ttl\": \"1h\"".utf8)

    static func contains(_ haystack: UnsafeRawBufferPointer, _ needle: [UInt8]) -> Bool {
        guard let base = haystack.baseAddress, let first = needle.first, haystack.count >= needle.count else {
            return false
        }
        // memchr is vectorised in libc; the request bodies scanned here are often 100 KB+.
        let last = haystack.count - needle.count
        return needle.withUnsafeBytes { needleBytes in
            var offset = 0
            while offset <= last {
                guard let hit = memchr(base + offset, Int32(first), last - offset + 1) else { return false }
                if memcmp(hit, needleBytes.baseAddress!, needle.count) == 0 { return true }
                offset = base.distance(to: UnsafeRawPointer(hit)) + 1
            }
            return false
        }
    }
}

extension MockUsage {
    /// No tokens: what rejected and HTTP-error requests record.
    static let zero = MockUsage(
        inputTokens: 0,
        cacheCreationInputTokens: 0,
        cacheReadInputTokens: 0,
        cacheCreation: .init(ephemeral5mInputTokens: 0, ephemeral1hInputTokens: 0),
        outputTokens: 0
    )

    /// Input side derived from the request body; `outputTokens` starts at 0.
    init(requestBody body: ByteBuffer) {
        let total = max(1, body.readableBytes / 4)
        let (cached, oneHour) = body.withUnsafeReadableBytes { bytes in
            (
                Self.contains(bytes, Self.cacheControl),
                Self.contains(bytes, Self.ttl1h) || Self.contains(bytes, Self.ttl1hSpaced)
            )
        }
        let read = cached ? total * 60 / 100 : 0
        let write = cached ? total * 30 / 100 : 0
        self.inputTokens = total - read - write
        self.cacheReadInputTokens = read
        self.cacheCreationInputTokens = write
        self.cacheCreation = CacheCreation(
            ephemeral5mInputTokens: oneHour ? 0 : write,
            ephemeral1hInputTokens: oneHour ? write : 0
        )
        self.outputTokens = 0
    }
}
