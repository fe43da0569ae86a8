import Hummingbird
import LoopBoundServer
import NIOCore

/// The per-request context: Hummingbird's core storage plus the ID the edge answers with.
struct EdgeRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    /// Goes in `request-id` on answers the edge makes itself (`anthropic-wire.md` §4.5) and
    /// names the request in records and logs.
    let requestID: String
    /// The event loop of the client's connection, where the request's work runs.
    let executor: EventLoopExecutor
    /// The client's connection, which answers are relayed into.
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.requestID = "req_goosey_\(RequestID())"
        self.executor = EventLoopExecutor.of(source.channel.eventLoop)
        self.channel = source.channel
    }
}
