import Hummingbird
import Logging

/// The one boundary that turns every failure into an Anthropic-shaped answer.
///
/// Route errors are already `AnthropicError`s; the router's own 404s and 413s and anything
/// unexpected are mapped here, and the unexpected ones are logged with the request ID.
struct AnthropicErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as AnthropicError {
            throw error
        } catch let refused as RefusedKey {
            throw refused.refusal
        } catch let error as HTTPError where error.status == .notFound {
            throw AnthropicError.notFound(request.method, request.uri.path)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw AnthropicError.tooLarge(limit: EdgeLimits.maxRequestBodyBytes)
        } catch {
            context.logger.error("unexpected error", metadata: ["goosey.error": "\(String(reflecting: type(of: error)))"])
            throw AnthropicError.internalError
        }
    }
}
