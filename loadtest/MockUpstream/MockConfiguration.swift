import Hummingbird

/// Settings of the mock Anthropic upstream.
///
/// Command-line options of `goosey-mock` (see ``MockMain``): `--host`, `--port`, `--api-key`
/// [MOCK_API_KEY], `--deltas`, `--delay-ms`.
public struct MockConfiguration: Sendable {
    /// Interface to bind.
    public var host: String
    /// Port to bind; 0 picks a free port (read it from `onServerRunning`).
    public var port: Int
    /// The only credential accepted in `x-api-key` or `Authorization: Bearer`.
    public var apiKey: String
    /// Text deltas per text block unless a request sends `x-mock-deltas`.
    public var deltas: Int
    /// Milliseconds between SSE events unless a request sends `x-mock-delay-ms`.
    public var delayMs: Int
    /// How many request records `GET /mock/requests/{id}` keeps (oldest dropped first).
    public var recordCapacity: Int

    /// The address the server binds.
    public var address: BindAddress { .hostname(self.host, port: self.port) }

    public init(
        host: String = "127.0.0.1",
        port: Int = 8090,
        apiKey: String = MockConfiguration.defaultAPIKey,
        deltas: Int = 8,
        delayMs: Int = 0,
        recordCapacity: Int = 10_000
    ) {
        self.host = host
        self.port = port
        self.apiKey = apiKey
        self.deltas = deltas
        self.delayMs = delayMs
        self.recordCapacity = recordCapacity
    }

    /// The key used when neither `--api-key` nor MOCK_API_KEY is given.
    public static let defaultAPIKey = "sk-ant-api03-mock"
}
