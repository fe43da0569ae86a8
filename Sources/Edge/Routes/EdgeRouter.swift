import NIOCore
import HTTPTypes
import Hummingbird
import Prometheus

/// Every route the edge serves (`DESIGN.md` "One request through an edge", step 1).
func buildEdgeRouter(forwarding: ForwardingRoute, me: MeRoute, metrics: PrometheusCollectorRegistry?) -> Router<EdgeRequestContext> {
    let router = Router(context: EdgeRequestContext.self)
    router.add(middleware: RequestCountingMiddleware())
    router.add(middleware: AnthropicErrorMiddleware())
    router.post("/v1/messages") { request, context in
        try await withTaskExecutorPreference(context.executor) { try await forwarding.handle(request, context: context, checksJSON: true, spendsAllowance: true) }
    }
    router.post("/v1/messages/count_tokens") { request, context in
        try await withTaskExecutorPreference(context.executor) { try await forwarding.handle(request, context: context, checksJSON: true, spendsAllowance: false) }
    }
    router.get("/v1/models") { request, context in
        try await withTaskExecutorPreference(context.executor) { try await forwarding.handle(request, context: context, checksJSON: false, spendsAllowance: false) }
    }
    router.get("/v1/models/{id}") { request, context in
        // The path goes upstream with the real key: a model id that is not plainly one (`..`, `%2e%2e`) could
        // reach other endpoints of the university's account.
        guard ModelID.isPlain(request.uri.path.dropFirst("/v1/models/".count)) else { throw AnthropicError.notFound(request.method, request.uri.path) }
        return try await withTaskExecutorPreference(context.executor) { try await forwarding.handle(request, context: context, checksJSON: false, spendsAllowance: false) }
    }
    router.get("/v1/goosey/me") { request, context in
        try await me.handle(request, context: context)
    }
    // Claude Code's connection warm-up: any quick answer will do, so it never leaves the edge.
    router.head("/api/hello") { _, _ in Response(status: .ok) }
    router.get("/healthz") { _, _ in "ok\n" }
    router.get("/readyz") { _, _ in "ready\n" }
    router.get("/metrics") { _, _ in
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; version=0.0.4"
        let text = metrics?.emitToString() ?? ""
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
    return router
}

enum ModelID {
    /// Letters, digits, `.`, `_` and `-`, starting with a letter or digit (`claude-sonnet-4-6`, `claude-3-5-haiku-20241022`).
    static func isPlain(_ id: Substring) -> Bool {
        guard let first = id.utf8.first, first.isASCIIAlphanumeric, id.utf8.count <= 128 else { return false }
        return id.utf8.allSatisfy { $0.isASCIIAlphanumeric || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }
    }
}

extension UInt8 {
    fileprivate var isASCIIAlphanumeric: Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(self)
            || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(self)
    }
}

/// Counts requests by route and status class.
struct RequestCountingMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let route = EdgeRoute(path: request.uri.path)
        do {
            let response = try await next(request, context)
            EdgeMetrics.countRequest(route: route, status: response.status.code)
            return response
        } catch let error as AnthropicError {
            EdgeMetrics.countRequest(route: route, status: error.status.code)
            throw error
        }
    }
}

extension EdgeRoute {
    init(path: String) {
        switch path {
        case "/v1/messages": self = .messages
        case "/v1/messages/count_tokens": self = .countTokens
        case _ where path.hasPrefix("/v1/models"): self = .models
        default: self = .other
        }
    }
}
