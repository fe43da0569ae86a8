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
        try await withTaskExecutorPreference(context.executor) { try await forwarding.handle(request, context: context, checksJSON: false, spendsAllowance: false) }
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
