import Hummingbird

/// Request context carrying the request id every mock response reports.
struct MockRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    /// Suffix shared by `req_…`, `msg_…` and `toolu_…` ids of this request.
    let idSuffix: String
    /// The client's port on its connection.
    let clientPort: Int?
    /// Waits on the connection's own loop: before a JSON answer, or for a connection to close.
    let pause: MockPause
    /// Sends a stream's delayed events from the connection's own loop.
    let pacer: MockEventPacer

    init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.idSuffix = MockRequestID.nextSuffix()
        self.clientPort = source.channel.remoteAddress?.port
        self.pause = MockPause(channel: source.channel)
        self.pacer = MockEventPacer(channel: source.channel)
    }

    /// The `request-id` header value, `req_…`.
    var requestID: String { "req_" + self.idSuffix }

    /// Allow bodies up to the real API's 32 MB limit (anthropic-wire.md §1.1).
    var maxUploadSize: Int { 32 * 1024 * 1024 }
}
