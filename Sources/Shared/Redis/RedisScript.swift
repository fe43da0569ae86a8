import Crypto

/// A Lua script run by its SHA-1 (`EVALSHA`), loaded on first use on each server.
public struct RedisScript: Sendable {
    public let source: String
    public let sha1: String

    public init(_ source: String) {
        self.source = source
        self.sha1 = Insecure.SHA1.hash(data: Array(source.utf8)).map { byte in
            let hex = String(byte, radix: 16)
            return hex.count == 1 ? "0" + hex : hex
        }.joined()
    }
}

extension RedisConnection {
    /// Runs `script` with `keys` and `arguments`; if the server does not know it yet (`NOSCRIPT`),
    /// sends the source once with `EVAL`, which also caches it there.
    public func evaluate(_ script: RedisScript, keys: [String], arguments: [String]) async throws(RedisError) -> RedisReply {
        let tail = [String(keys.count)] + keys + arguments
        do {
            return try await self.command(["EVALSHA", script.sha1] + tail)
        } catch where error.code == "NOSCRIPT" {
            return try await self.command(["EVAL", script.source] + tail)
        }
    }
}
