import Hummingbird
import Logging

/// Turns what the admin API's handlers did not expect into its error shape: Postgres unreachable is a 503
/// that says to try again, anything else a 500 that is logged.
struct AdminErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as AdminError {
            throw error
        } catch let error as any HTTPResponseError {
            throw error
        } catch let error as PostgresError {
            context.logger.warning("admin API: Postgres failed", metadata: ["goosey.error": "\(error)"])
            throw AdminError(status: .serviceUnavailable, type: "api_error", message: "the coordinator cannot reach its database right now; try again shortly")
        } catch {
            context.logger.error("admin API: unexpected error", metadata: ["goosey.error": "\(error)"])
            throw AdminError(status: .internalServerError, type: "api_error", message: "the coordinator hit an internal error; see its log")
        }
    }
}
