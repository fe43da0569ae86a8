import Hummingbird

/// The per-request context: Hummingbird's core storage plus the ID the edge answers with.
struct EdgeRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    /// Goes in `request-id` on answers the edge makes itself (`anthropic-wire.md` §4.5) and
    /// names the request in records and logs.
    let requestID: String

    init(source: Source) {
        self.coreContext = .init(source: source)
        self.requestID = "req_goosey_\(RequestID())"
    }
}
